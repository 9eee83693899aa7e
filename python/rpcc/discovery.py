"""Discovery: import handler modules by dotted name and collect what they registered."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterable

from .router import MessageRouter, default_router

__all__ = ["DiscoveryError", "discover"]


class DiscoveryError(ImportError):
    pass


def discover(modules: Iterable[str], *, router: MessageRouter | None = None, path: Iterable[str] = ()) -> MessageRouter:
    """Import ``modules`` and return a router holding the handlers and typed channels they registered.

    Collected: handlers (and channels) of the default router (or ``router``) defined in one of the modules or
    their submodules, those registered while importing them, and every ``MessageRouter`` instance the modules
    hold as a module-level attribute. ``path`` entries are put in front of ``sys.path`` first.
    """
    source = router if router is not None else default_router  # an empty router is falsy (__len__), still the one given
    for p in reversed(list(path)):
        if p not in sys.path:
            sys.path.insert(0, p)
    names = list(modules)
    if not names:
        raise DiscoveryError("no handler modules given")
    before = {h.method for h in source.handlers()}
    channels_before = {ch.name for ch in source.channels()}
    imported = []
    for name in names:
        try:
            imported.append(importlib.import_module(name))
        except ImportError as exc:
            raise DiscoveryError(f"cannot import handler module {name!r}: {exc}") from exc
    out = MessageRouter()
    prefixes = tuple(m + "." for m in names)
    for h in source.handlers():
        if h.module in names or h.module.startswith(prefixes) or h.method not in before:
            out.register(h.method, h.func, deprecated=h.deprecated)
    for ch in source.channels():
        if ch.module in names or ch.module.startswith(prefixes) or ch.name not in channels_before:
            out.register_channel(ch)
    for mod in imported:
        for value in list(vars(mod).values()):
            if isinstance(value, MessageRouter) and value is not source:
                out.include(value)
    return out
