"""Typed channels: Centrifugo channels declared next to the handlers (spec/rpc-idl.md, section Channels).

``channel(name, pattern, Publication, params=..., ...)`` declares one: its name pattern with typed parameters, the
type of its publications and its options (history, client publications, who may subscribe). Then:

- ``await events.publish(ev, user_id="42")`` (or ``events.publish_sync(...)`` in a sync Django view) validates the
  publication against the publication type and publishes it through Centrifugo's server API;
- ``@room.guard`` registers the ``async def`` the bridge's subscribe proxy asks whether a user may subscribe (and,
  unless ``@room.publish_guard`` registers another, whether a user may publish into the channel);
- the bridge's publish proxy validates client publications into ``client_publish=True`` channels;
- ``python -m rpcc export`` writes the ``channel`` declarations and ``python -m rpcc config`` the Centrifugo
  namespaces they need.
"""

from __future__ import annotations

import inspect
import json
import os
import re
import sys
import threading
import typing
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar, overload

from pydantic import PydanticUserError, TypeAdapter, ValidationError
from pydantic_core import PydanticSerializationError

if typing.TYPE_CHECKING:
    from .bridge import CentrifugoAPI
    from .router import MessageRouter

__all__ = [
    "UNSAFE_PARAM_CHARACTERS",
    "Channel",
    "ChannelError",
    "ChannelParamError",
    "History",
    "PublicationError",
    "Published",
    "SubscribeMode",
    "centrifugo_api",
    "channel",
    "set_centrifugo_api",
]

P = TypeVar("P")
GuardFunc = TypeVar("GuardFunc", bound=Callable[..., Awaitable[bool]])
SubscribeMode = Literal["user", "guard", "any"]
ParamValue = str | int

# Characters a string parameter may not hold: they would change what the channel name means to Centrifugo (":" the
# namespace boundary, "#" the user boundary, "," the user separator, "$" the private prefix) or to the pattern
# syntax ("{", "}"), and "/", "*", "&" which the SDKs refuse too (the same set in every language). Spaces and
# anything but printable ASCII are refused as well: Centrifugo refuses channel names that are not ASCII (error 107
# bad request on subscribe).
UNSAFE_PARAM_CHARACTERS = ":#,${}/*&"
_NOT_PRINTABLE_ASCII = re.compile(r"[^\x20-\x7e]")
_NOT_VISIBLE_ASCII = re.compile(r"[^\x21-\x7e]")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
# A Centrifugo namespace name (its config validation)
_NAMESPACE = re.compile(r"^[-a-zA-Z0-9_.]{2,}$")
_INT_TEXT = re.compile(r"^-?[0-9]+$")
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
MAX_CHANNEL_LENGTH = 255  # Centrifugo's default channel.max_length
# The pub/sub transport owns these: its request namespace and the reply channels user#<id> (rpcc.centrifugo_config).
RESERVED_NAMESPACE = "rpc"
RESERVED_PREFIX = "user#"


class ChannelError(ValueError):
    """A channel declaration (or a guard) is wrong: raised where it is declared."""


class ChannelParamError(ValueError):
    """A parameter value cannot build the channel's name (missing, unknown, wrong type, unsafe characters)."""


class PublicationError(ValueError):
    """A publication does not validate as the channel's publication type: nothing was published."""


@dataclass(frozen=True)
class History:
    """``@history(size, ttl)``: Centrifugo keeps the last ``size`` publications for ``ttl`` seconds, and subscribers
    recover what they missed after a reconnect (positioned, recoverable subscriptions)."""

    size: int
    ttl: int

    def __post_init__(self) -> None:
        for name in ("size", "ttl"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ChannelError(f"History.{name} must be an int above 0, not {value!r}")


@dataclass(frozen=True)
class Published:
    """Where a publication went: Centrifugo's stream position (both None for a channel without history)."""

    channel: str
    offset: int | None = None
    epoch: str | None = None


@dataclass(frozen=True)
class _Part:
    text: str | None  # literal text, or None for a placeholder
    param: str | None = None


def _parse_pattern(where: str, pattern: str, params: Mapping[str, type]) -> tuple[_Part, ...]:
    """The pattern cut into literal text and placeholders, checked against the declared parameters."""
    if not isinstance(pattern, str) or not pattern:
        raise ChannelError(f"{where}: the pattern must be a non-empty string")
    parts: list[_Part] = []
    used: list[str] = []
    at = 0
    for m in _PLACEHOLDER.finditer(pattern):
        text = pattern[at:m.start()]
        if "{" in text or "}" in text:
            raise ChannelError(f"{where}: unbalanced brace in pattern {pattern!r}")
        if text:
            parts.append(_Part(text))
        elif parts:
            raise ChannelError(f"{where}: placeholders {{{parts[-1].param}}} and {{{m.group(1)}}} must be separated "
                               "by literal text (the channel name could not be cut back into its parameters)")
        name = m.group(1)
        if name not in params:
            raise ChannelError(f"{where}: placeholder {{{name}}} in {pattern!r} is not a declared parameter")
        if name in used:
            raise ChannelError(f"{where}: parameter {name!r} is used twice in {pattern!r}")
        used.append(name)
        parts.append(_Part(None, name))
        at = m.end()
    tail = pattern[at:]
    if "{" in tail or "}" in tail:
        raise ChannelError(f"{where}: unbalanced brace in pattern {pattern!r}")
    if tail:
        parts.append(_Part(tail))
    for name in params:
        if name not in used:
            raise ChannelError(f"{where}: parameter {name!r} does not appear in the pattern {pattern!r}")
    return tuple(parts)


def _check_param_value(where: str, name: str, kind: type, value: object) -> str:
    """The text a parameter value puts into the channel name; ChannelParamError when it cannot be one."""
    if kind is int:
        if not isinstance(value, int) or isinstance(value, bool):
            raise ChannelParamError(f"{where}: parameter {name!r} is an int, not {type(value).__name__}")
        if not INT64_MIN <= value <= INT64_MAX:
            raise ChannelParamError(f"{where}: parameter {name!r} = {value} is outside the 64-bit range")
        return str(value)
    if not isinstance(value, str):
        raise ChannelParamError(f"{where}: parameter {name!r} is a str, not {type(value).__name__}")
    if not value:
        raise ChannelParamError(f"{where}: parameter {name!r} is empty")
    bad = sorted({c for c in value if c in UNSAFE_PARAM_CHARACTERS})
    if bad:
        shown = " ".join(repr(c) for c in bad)
        raise ChannelParamError(f"{where}: parameter {name!r} = {value!r} holds {shown}, which would change the "
                                f"channel's meaning (refused: {UNSAFE_PARAM_CHARACTERS!r})")
    if _NOT_VISIBLE_ASCII.search(value):
        raise ChannelParamError(f"{where}: parameter {name!r} = {value!r} holds a space or a character that is not "
                                "printable ASCII (Centrifugo's channel names are ASCII)")
    return value


class Channel(Generic[P]):
    """One typed channel (made by :func:`channel`)."""

    def __init__(
        self,
        name: str,
        pattern: str,
        publication: Any,
        *,
        params: Mapping[str, type] | None = None,
        history: History | None = None,
        client_publish: bool = False,
        subscribe: SubscribeMode | None = None,
        doc: str | None = None,
        deprecated: str | None = None,
        module: str = "",
    ) -> None:
        where = f"channel {name!r}"
        if not isinstance(name, str) or not name or not all(_IDENTIFIER.match(s) for s in name.split(".")):
            raise ChannelError(f"{where}: a channel name is dot-separated identifiers, e.g. 'tasks.events'")
        declared = dict(params or {})
        for pname, kind in declared.items():
            if not isinstance(pname, str) or not _IDENTIFIER.match(pname):
                raise ChannelError(f"{where}: parameter name {pname!r} is not an identifier")
            if pname == "api":
                raise ChannelError(f"{where}: parameter name 'api' is reserved (publish(..., api=...))")
            if kind not in (str, int):
                raise ChannelError(f"{where}: parameter {pname!r} is {kind!r}; a channel parameter is str or int")
        self.name = name
        self.pattern = pattern
        self.params: dict[str, type] = declared
        self.parts = _parse_pattern(where, pattern, declared)
        if _NOT_PRINTABLE_ASCII.search(pattern):
            raise ChannelError(f"{where}: the pattern has a character that is not printable ASCII (Centrifugo's "
                               "channel names are ASCII)")
        if pattern.endswith("#"):
            raise ChannelError(f"{where}: the pattern ends with '#': the users who may subscribe come after it")
        if pattern.startswith("$"):
            raise ChannelError(f"{where}: a pattern starting with '$' is a private channel (subscription tokens), "
                               "which typed channels do not use")
        first = self.parts[0]
        colon = first.text.find(":") if first.text is not None else -1
        if colon < 0 and any(p.text is not None and ":" in p.text for p in self.parts):
            raise ChannelError(f"{where}: the namespace (the text before the first ':') may not hold a placeholder")
        self.namespace: str | None = None
        if colon >= 0:
            assert first.text is not None
            self.namespace = first.text[:colon]
            if not _NAMESPACE.match(self.namespace):
                raise ChannelError(f"{where}: {self.namespace!r} is not a valid Centrifugo namespace name "
                                   "(two or more of letters, digits, '-', '_', '.')")
            if self.namespace == RESERVED_NAMESPACE:
                raise ChannelError(f"{where}: the namespace {RESERVED_NAMESPACE!r} belongs to the pub/sub transport")
        self.user_limited = any(p.text is not None and "#" in p.text for p in self.parts)
        if self.namespace is None and self.user_limited:
            # user#<id> are the pub/sub transport's reply channels: no parameter value may make one
            before: list[str] = []
            for part in self.parts:
                if part.text is None:
                    raise ChannelError(f"{where}: without a namespace, the text before '#' must be literal (a "
                                       f"parameter could make {RESERVED_PREFIX}<id>, a pub/sub reply channel)")
                if "#" in part.text:
                    before.append(part.text.split("#", 1)[0])
                    break
                before.append(part.text)
            if "".join(before) + "#" == RESERVED_PREFIX:
                raise ChannelError(f"{where}: channels {RESERVED_PREFIX}<id> are the pub/sub transport's reply "
                                   "channels")
        if subscribe is None:
            subscribe = "user" if self.user_limited else "guard"
        if subscribe not in ("user", "guard", "any"):
            raise ChannelError(f"{where}: subscribe is 'user', 'guard' or 'any', not {subscribe!r}")
        if subscribe == "user" and not self.user_limited:
            raise ChannelError(f"{where}: subscribe='user' needs a user-limited pattern ('#' before the user id)")
        if history is not None and not isinstance(history, History):
            raise ChannelError(f"{where}: history must be a History(size=..., ttl=...)")
        self.subscribe: SubscribeMode = subscribe
        self.history = history
        self.client_publish = bool(client_publish)
        self.publication: Any = publication
        try:
            self.adapter: TypeAdapter[P] = TypeAdapter(publication)
        except (PydanticUserError, TypeError) as exc:  # pydantic cannot build a schema for it
            raise ChannelError(f"{where}: the publication type {publication!r} is not a type Pydantic validates: "
                               f"{exc}") from exc
        self.doc = doc
        self.deprecated = deprecated
        self.module = module
        self._guard: Callable[..., Awaitable[bool]] | None = None
        self._publish_guard: Callable[..., Awaitable[bool]] | None = None

    def __repr__(self) -> str:
        return f"Channel({self.name!r}, {self.pattern!r})"

    # -- names ----------------------------------------------------------------------------------------------------
    def channel_name(self, **params: ParamValue) -> str:
        """The Centrifugo channel for these parameter values: ``tasks:events#42``."""
        where = f"channel {self.name}"
        unknown = sorted(set(params) - set(self.params))
        if unknown:
            raise ChannelParamError(f"{where}: unknown parameter(s) {', '.join(unknown)}")
        missing = [p for p in self.params if p not in params]
        if missing:
            raise ChannelParamError(f"{where}: missing parameter(s) {', '.join(missing)}")
        out = []
        for part in self.parts:
            if part.text is not None:
                out.append(part.text)
            else:
                assert part.param is not None
                out.append(_check_param_value(where, part.param, self.params[part.param], params[part.param]))
        text = "".join(out)
        if len(text.encode("utf-8")) > MAX_CHANNEL_LENGTH:
            raise ChannelParamError(f"{where}: the channel name is longer than {MAX_CHANNEL_LENGTH} bytes")
        return text

    def match(self, channel_name: str) -> list[dict[str, ParamValue]]:
        """The parameter values that build ``channel_name`` (at most two readings are looked for: more than one
        means the name is ambiguous, and the bridge refuses it)."""
        found: list[dict[str, ParamValue]] = []

        def walk(index: int, at: int, values: dict[str, ParamValue]) -> None:
            if len(found) > 1:
                return
            if index == len(self.parts):
                if at == len(channel_name):
                    found.append(dict(values))
                return
            part = self.parts[index]
            if part.text is not None:
                if channel_name.startswith(part.text, at):
                    walk(index + 1, at + len(part.text), values)
                return
            assert part.param is not None
            nxt = self.parts[index + 1].text if index + 1 < len(self.parts) else None
            ends = range(at + 1, len(channel_name) + 1) if nxt is not None else (len(channel_name),)
            for end in ends:
                if nxt is not None and not channel_name.startswith(nxt, end):
                    continue
                text = channel_name[at:end]
                value: ParamValue
                if self.params[part.param] is int:
                    # only the decimal form the SDKs print: "007" or "+7" would be another channel of the same room
                    if not _INT_TEXT.match(text) or str(int(text)) != text:
                        continue
                    value = int(text)
                else:
                    value = text
                try:
                    _check_param_value("", part.param, self.params[part.param], value)
                except ChannelParamError:
                    continue
                values[part.param] = value
                walk(index + 1, end, values)
                del values[part.param]

        walk(0, 0, {})
        return found

    def users(self, channel_name: str) -> list[str]:
        """The users Centrifugo lets subscribe to a user-limited channel (after the last '#', ','-separated)."""
        if "#" not in channel_name:
            return []
        return channel_name.rsplit("#", 1)[1].split(",")

    # -- publications ---------------------------------------------------------------------------------------------
    def encode(self, publication: Any) -> Any:
        """The publication's JSON value, after checking that it validates as the publication type and that its
        wire form decodes as it again (what every subscriber does)."""
        try:
            value = self.adapter.validate_python(publication)
            raw = self.adapter.dump_json(value, by_alias=True, warnings="error")
            self.adapter.validate_json(raw)
        except ValidationError as exc:
            raise PublicationError(f"channel {self.name}: {format_errors(exc)}") from None
        except PydanticSerializationError as exc:  # a value that does not serialize
            raise PublicationError(f"channel {self.name}: the publication does not serialize: {exc}") from None
        return json.loads(raw)

    def decode_json(self, raw: str | bytes) -> P:
        """A publication from its JSON text (the publish proxy's check of a client's publication)."""
        return self.adapter.validate_json(raw)

    async def publish(self, publication: P, /, *, api: CentrifugoAPI | None = None,
                      **params: ParamValue) -> Published:
        """Validate ``publication`` and publish it into the channel the parameters name, through Centrifugo's server
        API (``api``, else the one :func:`set_centrifugo_api` set, else ``RPCC_CENTRIFUGO_API_URL`` and
        ``RPCC_CENTRIFUGO_API_KEY``). Raises :class:`PublicationError` or :class:`ChannelParamError` before anything
        is sent, and ``rpcc.bridge.CentrifugoAPIError`` when Centrifugo refuses."""
        name = self.channel_name(**params)
        data = self.encode(publication)
        result = await (api or centrifugo_api()).publish(name, data)
        return _published(name, result)

    def publish_sync(self, publication: P, /, *, api: CentrifugoAPI | None = None,
                     **params: ParamValue) -> Published:
        """:meth:`publish` for synchronous code (a Django view): blocks until Centrifugo answered."""
        name = self.channel_name(**params)
        data = self.encode(publication)
        result = (api or centrifugo_api()).publish_sync(name, data)
        return _published(name, result)

    # -- authorization ------------------------------------------------------------------------------------------
    def guard(self, func: GuardFunc) -> GuardFunc:
        """Register ``async def guard(conn: Connection, <param>: <type>, ...) -> bool``: the subscribe proxy calls it
        for every subscription to the channel (True lets the user in; False, or an exception, refuses), and, unless
        a :meth:`publish_guard` is registered, for every client publication into it."""
        self._check_guard(func, "guard", extra=0)
        self._guard = func
        return func

    def publish_guard(self, func: GuardFunc) -> GuardFunc:
        """Register ``async def guard(conn: Connection, publication: <publication type>, <param>: <type>, ...) ->
        bool`` for client publications (``client_publish=True``); it sees the validated publication."""
        if not self.client_publish:
            raise ChannelError(f"channel {self.name}: a publish guard needs client_publish=True")
        self._check_guard(func, "publish_guard", extra=1)
        self._publish_guard = func
        return func

    @property
    def subscribe_guard_func(self) -> Callable[..., Awaitable[bool]] | None:
        return self._guard

    @property
    def publish_guard_func(self) -> Callable[..., Awaitable[bool]] | None:
        return self._publish_guard

    def _check_guard(self, func: Callable[..., Any], what: str, extra: int) -> None:
        where = f"channel {self.name}: @{what} {getattr(func, '__qualname__', func)!r}"
        if not inspect.iscoroutinefunction(func):
            raise ChannelError(f"{where} must be an 'async def' function")
        sig = inspect.signature(func)
        positional = [p for p in sig.parameters.values() if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        lead = 1 + extra
        if len(positional) < lead:
            raise ChannelError(f"{where} takes (conn{', publication' if extra else ''}, <channel parameters>)")
        rest = {p.name: p for p in list(sig.parameters.values())[lead:]
                if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)}
        if set(rest) != set(self.params) and not any(p.kind == p.VAR_KEYWORD for p in sig.parameters.values()):
            want = ", ".join(self.params) or "no channel parameters"
            raise ChannelError(f"{where} must take the channel's parameters by name ({want}), not "
                               f"{', '.join(rest) or 'none'}")
        try:
            hints = typing.get_type_hints(func)
        except (NameError, TypeError):  # an annotation that does not resolve: not checked
            hints = {}
        for pname, kind in self.params.items():
            hint = hints.get(pname)
            if hint is not None and hint is not kind:
                raise ChannelError(f"{where}: parameter {pname!r} is annotated {hint!r}; the channel's is "
                                   f"{kind.__name__}")


def _published(name: str, result: Any) -> Published:
    if isinstance(result, dict):
        offset, epoch = result.get("offset"), result.get("epoch")
        return Published(name, offset if isinstance(offset, int) else None, epoch if isinstance(epoch, str) else None)
    return Published(name)


def format_errors(exc: ValidationError) -> str:
    parts = []
    for e in exc.errors(include_url=False, include_input=False, include_context=False):
        loc = ".".join(str(x) for x in e.get("loc", ())) or "publication"
        parts.append(f"{loc}: {e.get('msg', 'invalid')}")
    return "invalid publication: " + "; ".join(parts)


@overload
def channel(name: str, pattern: str, publication: type[P], *, params: Mapping[str, type] | None = None,
            history: History | None = None, client_publish: bool = False, subscribe: SubscribeMode | None = None,
            doc: str | None = None, deprecated: str | None = None,
            router: MessageRouter | None = None) -> Channel[P]: ...


@overload
def channel(name: str, pattern: str, publication: Any, *, params: Mapping[str, type] | None = None,
            history: History | None = None, client_publish: bool = False, subscribe: SubscribeMode | None = None,
            doc: str | None = None, deprecated: str | None = None,
            router: MessageRouter | None = None) -> Channel[Any]: ...


def channel(name: str, pattern: str, publication: Any, *, params: Mapping[str, type] | None = None,
            history: History | None = None, client_publish: bool = False, subscribe: SubscribeMode | None = None,
            doc: str | None = None, deprecated: str | None = None,
            router: MessageRouter | None = None) -> Channel[Any]:
    """Declare a typed channel and register it (with the process-wide default router unless ``router`` is given).

    ``name``: the dotted name of the generated code (``tasks.events``). ``pattern``: the channel name with
    ``{param}`` placeholders (``tasks:events#{user_id}``); its text before the first ':' is the Centrifugo namespace.
    ``publication``: a Pydantic model, or a union of models (a ``type X = A | B`` alias, or an ``Annotated`` union
    with a discriminator). ``params``: each placeholder's type, ``str`` or ``int``. ``history``: keep history and
    let subscribers recover. ``client_publish``: clients may publish (validated by the bridge's publish proxy).
    ``subscribe``: "user" (only the user named after '#'; the default for patterns with '#'), "guard" (the bridge
    asks the guard; the default otherwise) or "any" (every connected client). ``doc``: the doc comment (else none).
    """
    from .router import default_router

    frame = sys._getframe(1)
    module = str(frame.f_globals.get("__name__", ""))
    ch: Channel[Any] = Channel(name, pattern, publication, params=params, history=history,
                               client_publish=client_publish, subscribe=subscribe, doc=doc, deprecated=deprecated,
                               module=module)
    (router if router is not None else default_router).register_channel(ch)
    return ch


# -- namespaces -----------------------------------------------------------------------------------------------------
def namespace_options(channels: Iterable[Channel[Any]]) -> dict[str | None, dict[str, Any]]:
    """Centrifugo's options for each namespace the channels use (None: channels without a namespace), as
    ``channel.namespaces[]`` entries hold them. Channels sharing a namespace must agree on history, client
    publications and who subscribes: :class:`ChannelError` names both otherwise."""
    first: dict[str | None, Channel[Any]] = {}
    out: dict[str | None, dict[str, Any]] = {}
    for ch in channels:
        if ch.namespace is None and ch.user_limited and ch.subscribe != "user":
            # the pub/sub transport's reply channels user#<id> keep '#' user-limited there: no guard would be asked
            raise ChannelError(f"channel {ch.name}: a pattern without a namespace that has '#' is subscribe='user'")
        other = first.setdefault(ch.namespace, ch)
        if other is not ch:
            for what, mine, theirs in (("history", ch.history, other.history),
                                       ("client_publish", ch.client_publish, other.client_publish),
                                       ("subscribe", ch.subscribe, other.subscribe),
                                       ("user-limited pattern", ch.user_limited and ch.subscribe == "user",
                                        other.user_limited and other.subscribe == "user")):
                if mine != theirs:
                    shown = f"namespace {ch.namespace!r}" if ch.namespace else "no namespace"
                    raise ChannelError(f"channels {other.name} and {ch.name} share {shown} but not their {what} "
                                       f"({theirs!r} and {mine!r}): Centrifugo's options are per namespace")
            continue
        opts: dict[str, Any] = {}
        if ch.history is not None:
            opts.update(history_size=ch.history.size, history_ttl=f"{ch.history.ttl}s", force_positioning=True,
                        force_recovery=True)
        if ch.subscribe == "user":
            opts["allow_user_limited_channels"] = True
        elif ch.subscribe == "guard":
            opts["subscribe_proxy_enabled"] = True
        else:
            opts["allow_subscribe_for_client"] = True
        if ch.client_publish:
            opts["publish_proxy_enabled"] = True
        out[ch.namespace] = opts
    return out


# -- the server API publications go through -------------------------------------------------------------------------
_api_lock = threading.Lock()
_default_api: CentrifugoAPI | None = None


def set_centrifugo_api(api: CentrifugoAPI | None) -> None:
    """The Centrifugo server API that ``Channel.publish`` uses when not given one (None: back to the environment)."""
    global _default_api
    with _api_lock:
        _default_api = api


def centrifugo_api() -> CentrifugoAPI:
    """The API :func:`set_centrifugo_api` set, else one made (once) from ``RPCC_CENTRIFUGO_API_URL`` and
    ``RPCC_CENTRIFUGO_API_KEY``; :class:`ChannelError` when neither is there."""
    global _default_api
    with _api_lock:
        if _default_api is None:
            url, key = os.environ.get("RPCC_CENTRIFUGO_API_URL"), os.environ.get("RPCC_CENTRIFUGO_API_KEY")
            if not url or not key:
                raise ChannelError("no Centrifugo server API to publish through: call rpcc.set_centrifugo_api("
                                   "CentrifugoAPI(url, key)), pass api=..., or set RPCC_CENTRIFUGO_API_URL and "
                                   "RPCC_CENTRIFUGO_API_KEY (Django: the settings of the same names)")
            from .bridge import CentrifugoAPI

            _default_api = CentrifugoAPI(url, key)
        return _default_api
