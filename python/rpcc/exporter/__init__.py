"""Exporter: registered handlers and their Pydantic v2 models -> the ``.rpc`` IDL (spec/rpc-idl.md).

The walk follows ``model_fields`` with typing introspection (:mod:`.walk`, building the terms of :mod:`.idl`); every
model's serialization-mode JSON schema is then used as a cross-check (:mod:`.schema_check`: wire names, required
set, and the shape of every field), so a custom serializer, a computed field or a config that changes the wire
format is caught instead of exported wrongly. :mod:`.render` prints the result.

Output is deterministic: declarations in the order they are first reached (rpcs sorted by method name, each rpc's
params before its result, fields in definition order, then the channels' publication types, channels sorted by
name), then the rpcs sorted by method name, then the channels (:mod:`rpcc.channels`) sorted by name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import RootModel

from ..channels import Channel
from ..discovery import discover
from ..router import Handler, MessageRouter
from .contract import contract_hash
from .errors import ExportError, WalkError
from .idl import IDENTIFIER, ChannelDecl, Ref, RpcDecl, alternatives
from .metadata import Constraints, clean_doc
from .render import render_file, render_string, render_type
from .validate import rpcc_problems
from .walk import NAMINGS, ModelWalk, _qual, unique_names

__all__ = ["NAMINGS", "ExportError", "export", "export_handlers", "export_models", "export_modules",
           "handlers_contract_hash", "unique_names"]


def _is_dotted_name(method: str) -> bool:
    return all(IDENTIFIER.match(segment) for segment in method.split("."))


def _dotted_name_for(method: str, taken: set[str]) -> str:
    """A dotted name for the generated code of a method whose name is not one: ``user-profile.get`` ->
    ``user_profile.get``, ``chat:send`` -> ``chat_send``; each segment's runs of other characters become one ``_``,
    a segment must start with a letter (``m`` is put before one that does not), and ``_2``, ``_3``, ... keep the
    name unused."""
    segments = []
    for part in method.split("."):
        words = re.findall(r"[A-Za-z0-9]+", part)
        if words:
            segment = "_".join(words)
            segments.append(segment if segment[0].isalpha() else f"m{segment}")
    base = ".".join(segments) or "method"
    name, suffix = base, 2
    while name in taken:
        name, suffix = f"{base}_{suffix}", suffix + 1
    return name


def _finish(walk: ModelWalk, rpcs: list[RpcDecl], header: Sequence[str] | None, check: bool,
            with_contract_hash: bool = False, channels: Sequence[ChannelDecl] = ()) -> str:
    walk.require_discriminator_fields()
    walk.name_inline_unions()
    if walk.errors:
        raise ExportError(walk.errors)
    lines = list(header or [])
    if with_contract_hash:
        lines.append(f"// Contract hash: {contract_hash(walk.decls, rpcs, channels)}")
    text = render_file(walk.decls, rpcs, lines, channels)
    if check:
        def origin(name: str) -> str:
            obj = walk.owner.get(name)
            return f"{name} ({_qual(obj)})" if obj is not None else name

        problems = rpcc_problems(text, origin)
        if problems:
            raise ExportError(problems)
    return text


def export_models(models: Sequence[type], *, header: Sequence[str] | None = None, naming: str = "class",
                  rename: Mapping[Any, str] | None = None, check: bool = True) -> str:
    """The IDL declarations of ``models`` (Pydantic models and RootModels) and what they reach, without rpcs.

    For libraries' models (a provider's SDK types) that a handler will use: see :func:`export_handlers` for
    ``naming``, ``rename`` and ``check``.
    """
    walk = ModelWalk(naming=naming, rename=rename)
    for model in models:
        try:
            walk.model_ref(model, f"model {_qual(model)}")
        except WalkError as exc:
            walk.errors.append(str(exc))
    return _finish(walk, [], header, check)


def export_handlers(handlers: Sequence[Handler], *, header: Sequence[str] | None = None, naming: str = "class",
                    rename: Mapping[Any, str] | None = None, check: bool = True,
                    with_contract_hash: bool = False, channels: Sequence[Channel[Any]] = ()) -> str:
    """Render the IDL for ``handlers``; raises :class:`ExportError` listing every problem.

    ``naming`` names the declarations: "class" (the class name) or "module" (qualified by the last segment of the
    defining module unless the class name starts with it: `chat_completion.Choice` is `ChatCompletionChoice`), for
    libraries whose classes share names. ``rename`` maps classes (or their "module.QualName") to names of one's
    choosing. With ``check`` the text is checked by `rpcc --check` when the compiler is found ($RPCC, else PATH).
    ``with_contract_hash`` ends the header with the contract hash, as ``rpcc --contract-hash`` prints it for the file
    (spec/evolution.md). ``channels``: typed channels (:func:`rpcc.channel`) to declare too.
    """
    walk, rpcs = _walk_handlers(handlers, naming, rename)
    channel_decls = _channel_decls(walk, channels)
    return _finish(walk, rpcs, header, check, with_contract_hash, channel_decls)


def handlers_contract_hash(handlers: Sequence[Handler], channels: Sequence[Channel[Any]] = ()) -> str:
    """The contract hash of the .rpc file :func:`export_handlers` writes for ``handlers`` (and ``channels``), as
    ``rpcc --contract-hash`` prints it, computed without rpcc (what the bridge compares clients' hashes with).
    Raises :class:`ExportError` when the handlers use what the IDL cannot express."""
    walk, rpcs = _walk_handlers(handlers, "class", None)
    channel_decls = _channel_decls(walk, channels)
    walk.require_discriminator_fields()
    walk.name_inline_unions()
    if walk.errors:
        raise ExportError(walk.errors)
    return contract_hash(walk.decls, rpcs, channel_decls)


def _channel_decls(walk: ModelWalk, channels: Sequence[Channel[Any]]) -> list[ChannelDecl]:
    return [d for d in (_channel_decl(walk, ch) for ch in sorted(channels, key=lambda c: c.name)) if d]


def _walk_handlers(handlers: Sequence[Handler], naming: str,
                   rename: Mapping[Any, str] | None) -> tuple[ModelWalk, list[RpcDecl]]:
    walk = ModelWalk(naming=naming, rename=rename)
    rpcs: list[RpcDecl] = []
    # Dotted names in use: the plain method names first, so a derived name never takes one.
    taken = {h.method for h in handlers if _is_dotted_name(h.method)}
    for h in sorted(handlers, key=lambda h: h.method):
        where = f"rpc {h.method} ({h.qualname})"
        # Segments may be IDL keywords (`rpc system.import(...)`, spec/rpc-idl.md). Any other method name gets a
        # dotted name for the generated code and travels as written in @method("...").
        name = h.method if _is_dotted_name(h.method) else _dotted_name_for(h.method, taken)
        taken.add(name)
        names: list[str | None] = []
        for role, model in (("params", h.params_model), ("result", h.result_model)):
            if model is None:
                names.append(None)
                continue
            if issubclass(model, RootModel):
                walk.errors.append(f"{where}: the {role} type {model.__name__} is a RootModel; params and results "
                                   "are JSON objects (models with fields)")
                names.append(model.__name__)
                continue
            try:
                names.append(walk.model_ref(model, f"{where}, {role}").name)
            except WalkError as exc:
                walk.errors.append(str(exc))
                names.append(model.__name__)
        anns = []
        if h.deprecated is not None:
            anns.append("@deprecated" if h.deprecated == "" else f"@deprecated({render_string(h.deprecated)})")
        result = names[1]
        assert result is not None or h.oneway  # every handler but a one-way one has a result model
        if h.oneway:
            anns.append("@oneway")
        if name != h.method:
            anns.insert(0, f"@method({render_string(h.method)})")
        wire = None if name == h.method else h.method
        rpcs.append(RpcDecl(name, names[0], result, clean_doc(h.doc), anns, wire=wire))
    return walk, rpcs


def _channel_decl(walk: ModelWalk, ch: Channel[Any]) -> ChannelDecl | None:
    """The ``channel`` declaration of ``ch``; its publication type is walked like a handler's models (a model, a
    union of models, or a ``TypeAliasType`` naming one: the alias gives the union its IDL name)."""
    where = f"channel {ch.name} ({ch.module})"
    walk.current = None
    walk.top_where = where
    try:
        publication = walk.convert(ch.publication, f"{where}, publication", Constraints())
    except WalkError as exc:
        walk.errors.append(str(exc))
        return None
    for alt in alternatives(walk.decls, publication):
        if not (isinstance(alt, Ref) and alt.kind == "model"):
            walk.errors.append(f"{where}: the publication type is a model or a union of models, not "
                               f"{render_type(alt)}")
            return None
    anns: list[str] = []
    if ch.history is not None:
        anns.append(f"@history(size: {ch.history.size}, ttl: {ch.history.ttl})")
    if ch.client_publish:
        anns.append("@publish")
    anns.append(f"@subscribe({render_string(ch.subscribe)})")  # written even as the default: the reader sees it
    if ch.deprecated is not None:
        anns.append("@deprecated" if ch.deprecated == "" else f"@deprecated({render_string(ch.deprecated)})")
    params = [(name, "int" if kind is int else "string") for name, kind in ch.params.items()]
    return ChannelDecl(ch.name, params, ch.pattern, publication, clean_doc(ch.doc), anns)


def export(router: MessageRouter, *, header: Sequence[str] | None = None, naming: str = "class",
           rename: Mapping[Any, str] | None = None, check: bool = True, with_contract_hash: bool = False) -> str:
    """Render the IDL for every handler and channel of ``router`` (options: :func:`export_handlers`)."""
    return export_handlers(router.handlers(), header=header, naming=naming, rename=rename, check=check,
                           with_contract_hash=with_contract_hash, channels=router.channels())


def export_modules(modules: Sequence[str], *, path: Sequence[str] = (), command: str | None = None,
                   naming: str = "class", rename: Mapping[Any, str] | None = None, check: bool = True) -> str:
    """The .rpc file for the handlers (and channels) that ``modules`` register (:func:`rpcc.discover`), with its header (the
    command that wrote it, and the contract hash).

    What ``python -m rpcc export`` writes and the Django command compiles. ``command`` is the command named in the
    header (default: the ``python -m rpcc export`` call). Raises :class:`ExportError` (no handlers, or models the
    IDL cannot express) and whatever importing the modules raises.
    """
    router = discover(modules, path=path)
    if not len(router) and not router.channels():
        raise ExportError([f"no handlers or channels registered by {', '.join(modules)}"])
    header = [
        f"// Generated by `{command or 'python -m rpcc export ' + ' '.join(modules)}` from the Pydantic handler "
        "models.",
        "// Do not edit: change the handlers and export again.",
    ]
    return export(router, header=header, naming=naming, rename=rename, check=check, with_contract_hash=True)
