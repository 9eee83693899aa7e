"""Handler registry: the ``@websocket_rpc`` decorator and :class:`MessageRouter`."""

from __future__ import annotations

import inspect
import re
import typing
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel

if TYPE_CHECKING:
    from .channels import Channel

__all__ = ["Connection", "Handler", "MessageRouter", "RegistrationError", "default_router", "websocket_rpc"]

# A handler as the decorators take it and give it back: the decorated function keeps its own type for type checkers
# (the way FastAPI types its route decorators); `async def` is required, so the bound asks for an awaitable result.
HandlerFunc = TypeVar("HandlerFunc", bound=Callable[..., Awaitable[Any]])

# Centrifugo method names are free strings ("user-profile.get", "chat:send"): any non-empty one without control
# characters, which the IDL's @method can carry (spec/rpc-idl.md, section 5).
_METHOD_RE = re.compile(r"^[^\x00-\x1f\x7f-\x9f]+$")


class RegistrationError(TypeError):
    """A handler cannot be registered (wrong signature, bad or duplicate method name)."""


@dataclass(frozen=True)
class Connection:
    """What a handler knows about the caller, as authenticated by Centrifugo.

    ``user_id`` is the JWT ``sub`` of the connection ("" for anonymous connections), ``client_id`` Centrifugo's
    client id, ``transport`` either ``"rpc"`` (Centrifugo RPC proxy) or ``"pubsub"`` (publish proxy), ``meta`` the
    connection meta Centrifugo attached, if any, ``contract`` the contract hash the client sent (the hash of the
    .rpc file its SDK was generated from; None when it sent none).
    """

    user_id: str
    client_id: str
    transport: str = "rpc"
    meta: Any | None = None
    contract: str | None = None


@dataclass(frozen=True)
class Handler:
    """One registered RPC method."""

    method: str
    func: Callable[..., Awaitable[Any]]
    params_model: type[BaseModel] | None
    result_model: type[BaseModel] | None  # None exactly for a one-way method
    doc: str | None
    deprecated: str | None = None  # None: not deprecated; "": deprecated without a reason
    module: str = field(default="")
    oneway: bool = False  # answers nothing: exported as `@oneway`; the bridge runs it and sends no result


    @property
    def qualname(self) -> str:
        return f"{self.module}.{getattr(self.func, '__qualname__', self.func.__name__)}"


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel) and tp is not BaseModel


def _describe(func: Callable[..., Any]) -> str:
    return f"{getattr(func, '__module__', '?')}.{getattr(func, '__qualname__', repr(func))}"


def inspect_handler(method: str, func: Callable[..., Any], deprecated: str | None = None,
                    oneway: bool | None = None) -> Handler:
    """Check a handler's signature and build its :class:`Handler` record.

    Accepted: ``async def f(conn, params: SomeModel) -> ResultModel`` or ``async def f(conn) -> ResultModel``; a
    one-way method returns ``None`` (``-> None``), which ``oneway=True`` may also say explicitly. ``oneway=False``
    refuses ``-> None``.
    """
    name = _describe(func)
    if not isinstance(method, str) or not _METHOD_RE.match(method):
        raise RegistrationError(
            f"@websocket_rpc({method!r}) on {name}: a method name is a non-empty string without control characters, "
            "e.g. 'tasks.get_stats'"
        )
    if not inspect.iscoroutinefunction(func):
        raise RegistrationError(f"@websocket_rpc({method!r}): handler {name} must be an 'async def' function")
    try:
        hints = typing.get_type_hints(func, include_extras=False)
    except Exception as exc:  # unresolved forward reference and the like
        raise RegistrationError(f"@websocket_rpc({method!r}): cannot resolve the annotations of {name}: {exc}") from exc
    sig = inspect.signature(func)
    params = list(sig.parameters.values())
    for p in params:
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD, p.KEYWORD_ONLY) and p.default is p.empty:
            raise RegistrationError(
                f"@websocket_rpc({method!r}): handler {name} must take (conn, params); '{p.name}' is not allowed"
            )
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if len(positional) not in (1, 2):
        raise RegistrationError(
            f"@websocket_rpc({method!r}): handler {name} must take (conn, params: Model) or (conn), "
            f"it takes {len(positional)} positional parameters"
        )
    params_model: type[BaseModel] | None = None
    if len(positional) == 2:
        pname = positional[1].name
        if pname not in hints:
            raise RegistrationError(
                f"@websocket_rpc({method!r}): parameter '{pname}' of handler {name} has no annotation; "
                "annotate it with a Pydantic model"
            )
        params_model = hints[pname]
        if not _is_model(params_model):
            raise RegistrationError(
                f"@websocket_rpc({method!r}): parameter '{pname}' of handler {name} is annotated "
                f"{params_model!r}, which is not a Pydantic model (pydantic.BaseModel subclass)"
            )
    if "return" not in hints:
        raise RegistrationError(
            f"@websocket_rpc({method!r}): handler {name} has no return annotation; annotate it with a Pydantic model"
        )
    result_model = hints["return"]
    if result_model is type(None):
        if oneway is False:
            raise RegistrationError(
                f"@websocket_rpc({method!r}, oneway=False): handler {name} returns None; annotate its result with a "
                "Pydantic model, or drop oneway=False to make it one-way"
            )
        return Handler(method=method, func=func, params_model=params_model, result_model=None,
                       doc=inspect.getdoc(func), deprecated=deprecated, module=getattr(func, "__module__", ""),
                       oneway=True)
    if oneway:
        raise RegistrationError(
            f"@websocket_rpc({method!r}, oneway=True): handler {name} is annotated to return {result_model!r}; a "
            "one-way method returns None (-> None)"
        )
    if not _is_model(result_model):
        raise RegistrationError(
            f"@websocket_rpc({method!r}): the return annotation of handler {name} is {result_model!r}, "
            "which is not a Pydantic model (pydantic.BaseModel subclass)"
        )
    doc = inspect.getdoc(func)
    return Handler(
        method=method,
        func=func,
        params_model=params_model,
        result_model=result_model,
        doc=doc,
        deprecated=deprecated,
        module=getattr(func, "__module__", ""),
    )


class MessageRouter:
    """A registry of RPC handlers, keyed by method name."""

    def __init__(self) -> None:
        self._handlers: dict[str, Handler] = {}
        self._channels: dict[str, Channel[Any]] = {}

    def register(self, method: str, func: Callable[..., Any], *, deprecated: str | None = None,
                 oneway: bool | None = None) -> Handler:
        handler = inspect_handler(method, func, deprecated, oneway)
        existing = self._handlers.get(method)
        if existing is not None:
            if existing.func is func or existing.qualname == handler.qualname:
                # The same function registered again (a module imported twice, e.g. as __main__ and by name).
                self._handlers[method] = handler
                return handler
            raise RegistrationError(
                f"duplicate RPC method {method!r}: {handler.qualname} and {existing.qualname} both register it"
            )
        self._handlers[method] = handler
        return handler

    def websocket_rpc(self, method: str, *, deprecated: str | None = None,
                      oneway: bool | None = None) -> Callable[[HandlerFunc], HandlerFunc]:
        """Decorator registering an ``async def handler(conn, params: Model) -> Model`` under ``method``.

        ``deprecated``: a reason string (or "") marks the method ``@deprecated`` in the exported IDL. A handler
        annotated ``-> None`` is one-way (``@oneway``: clients do not wait, nothing is answered); ``oneway=True``
        says so explicitly and ``oneway=False`` refuses it.
        """

        def decorate(func: HandlerFunc) -> HandlerFunc:
            self.register(method, func, deprecated=deprecated, oneway=oneway)
            return func

        return decorate

    def get(self, method: str) -> Handler | None:
        return self._handlers.get(method)

    def handlers(self) -> list[Handler]:
        """All handlers, sorted by method name."""
        return [self._handlers[m] for m in sorted(self._handlers)]

    def include(self, other: MessageRouter) -> None:
        """Register every handler and channel of ``other`` here too."""
        for h in other.handlers():
            self.register(h.method, h.func, deprecated=h.deprecated, oneway=h.oneway)
        for ch in other.channels():
            self.register_channel(ch)

    # -- typed channels (rpcc.channels) ----------------------------------------------------------------------------
    def register_channel(self, channel: Channel[Any]) -> None:
        """Add a channel declared with :func:`rpcc.channel`; two channels may not share a name (the same one
        declared again, a module imported twice, replaces it)."""
        existing = self._channels.get(channel.name)
        if existing is not None and existing is not channel and not (
                existing.module == channel.module and existing.pattern == channel.pattern):
            raise RegistrationError(f"duplicate channel {channel.name!r}: declared in {existing.module} and "
                                    f"{channel.module}")
        self._channels[channel.name] = channel

    def channels(self) -> list[Channel[Any]]:
        """All channels, sorted by name."""
        return [self._channels[n] for n in sorted(self._channels)]

    def get_channel(self, name: str) -> Channel[Any] | None:
        return self._channels.get(name)

    def unregister(self, method: str) -> None:
        self._handlers.pop(method, None)

    def __contains__(self, method: object) -> bool:
        return method in self._handlers

    def __len__(self) -> int:
        return len(self._handlers)


default_router = MessageRouter()


def websocket_rpc(
    method: str, *, router: MessageRouter | None = None, deprecated: str | None = None, oneway: bool | None = None
) -> Callable[[HandlerFunc], HandlerFunc]:
    """Register an ``async def handler(conn, params: Params) -> Result`` as the RPC method ``method``.

    Handlers go to the process-wide default router unless ``router`` is given. A handler returning ``None``
    (``-> None``, or ``oneway=True``) is a one-way method: exported as ``@oneway``, run by the bridge without an answer.
    """
    # `router or default_router` would send an explicit empty router (falsy: it has __len__) to the default one.
    target = router if router is not None else default_router
    return target.websocket_rpc(method, deprecated=deprecated, oneway=oneway)
