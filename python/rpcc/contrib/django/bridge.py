"""The process-wide Bridge built from Django settings."""

from __future__ import annotations

import importlib.util
import threading

from django.apps import apps
from django.conf import settings

from rpcc.bridge import Bridge, CentrifugoAPI, ContractPolicy, InsecureBridgeError, Limits, ProxyAuth
from rpcc.discovery import discover
from rpcc.router import MessageRouter, default_router

_lock = threading.Lock()
_bridge: Bridge | None = None
_auth: ProxyAuth | None = None


def handler_modules(include_apps: bool = True) -> list[str]:
    """RPCC_HANDLER_MODULES plus each installed app's ``rpc_handlers`` module, when it has one."""
    modules = list(getattr(settings, "RPCC_HANDLER_MODULES", []))
    if include_apps:
        for app in apps.get_app_configs():
            name = f"{app.name}.rpc_handlers"
            if name not in modules and importlib.util.find_spec(name) is not None:
                modules.append(name)
    return modules


def registered_app_modules() -> list[str]:
    """Modules of installed apps that registered handlers before this ran, whatever imported them (the old way: an
    AppConfig.ready() that imports the app's handler module)."""
    prefixes = tuple(app.name for app in apps.get_app_configs())
    return sorted({h.module for h in default_router.handlers()
                   if any(h.module == p or h.module.startswith(p + ".") for p in prefixes)})


def all_handler_modules() -> list[str]:
    """What the bridge serves and `generate_centrifugo_clients --all` exports: handler_modules() and
    registered_app_modules()."""
    return list(dict.fromkeys(handler_modules() + registered_app_modules()))


def router_from_settings() -> MessageRouter:
    modules = all_handler_modules()
    if not modules:
        raise RuntimeError("no handler modules: set RPCC_HANDLER_MODULES, add rpc_handlers.py to an app, or "
                           "register the handlers when Django starts (an AppConfig.ready() importing them)")
    return discover(modules)


def get_bridge() -> Bridge:
    global _bridge
    with _lock:
        if _bridge is None:
            url = getattr(settings, "RPCC_CENTRIFUGO_API_URL", None)
            key = getattr(settings, "RPCC_CENTRIFUGO_API_KEY", None)
            # batch=False: each pub/sub job runs on its own short-lived event loop (views._run_job), so replies go
            # through publish_sync in the job's thread, over that thread's kept-alive connection
            api = CentrifugoAPI(url, key, batch=False) if url and key else None
            _bridge = Bridge(router_from_settings(), api=api,
                             ack_after_reply=bool(getattr(settings, "RPCC_PUBLISH_ACK_AFTER_REPLY", False)),
                             limits=limits_from_settings(), telemetry=telemetry_from_settings(),
                             contract=contract_policy_from_settings())
        return _bridge


_telemetry: object = None  # made once per process: Prometheus metrics register in the global registry


def telemetry_from_settings():
    """``RPCC_METRICS = True`` (Prometheus metrics, served by the ``metrics`` view) and ``RPCC_OTEL_TRACING =
    "propagated"`` or ``"always"`` (OpenTelemetry server spans): see rpcc.telemetry. None when both are off."""
    global _telemetry
    metrics = bool(getattr(settings, "RPCC_METRICS", False))
    otel = getattr(settings, "RPCC_OTEL_TRACING", None) or None
    if not metrics and not otel:
        return None
    if _telemetry is None:
        from rpcc.telemetry import observer_from_settings

        _telemetry = observer_from_settings(metrics=metrics, otel=otel)
    return _telemetry


LIMIT_SETTINGS = ("max_body", "max_concurrency", "handler_timeout", "publish_timeout", "max_reply",
                  "subscribe_timeout")


def limits_from_settings() -> Limits:
    """``RPCC_MAX_MESSAGE_SIZE`` (Centrifugo's websocket.message_size_limit) and ``RPCC_MAX_BODY``,
    ``RPCC_MAX_CONCURRENCY``, ``RPCC_HANDLER_TIMEOUT``, ``RPCC_PUBLISH_TIMEOUT``, ``RPCC_MAX_REPLY``: see
    rpcc.bridge.Limits."""
    kw = {name: getattr(settings, f"RPCC_{name.upper()}") for name in LIMIT_SETTINGS
          if getattr(settings, f"RPCC_{name.upper()}", None) is not None}
    size = getattr(settings, "RPCC_MAX_MESSAGE_SIZE", None)
    return Limits.for_message_size(int(size), **kw) if size is not None else Limits(**kw)


def auth_from_settings() -> ProxyAuth:
    """``settings.RPCC_PROXY_SECRET`` (the value of X-Rpcc-Proxy-Secret in Centrifugo's proxy static_headers), or
    ``RPCC_INSECURE_NO_AUTH = True`` (development only). Raises ImproperlyConfigured without either."""
    from django.core.exceptions import ImproperlyConfigured

    try:
        return ProxyAuth(getattr(settings, "RPCC_PROXY_SECRET", None) or None,
                         insecure_no_auth=bool(getattr(settings, "RPCC_INSECURE_NO_AUTH", False)))
    except InsecureBridgeError as exc:
        raise ImproperlyConfigured(str(exc)) from None


def get_auth() -> ProxyAuth:
    global _auth
    with _lock:
        if _auth is None:
            _auth = auth_from_settings()
        return _auth


def reset_bridge() -> None:
    """Forget the cached bridge and proxy auth (tests that change settings)."""
    global _bridge, _auth
    with _lock:
        _bridge = None
        _auth = None


def configure_channel_api() -> None:
    """Typed channels publish through ``RPCC_CENTRIFUGO_API_URL`` / ``RPCC_CENTRIFUGO_API_KEY`` when both are set
    (``Channel.publish_sync`` in a view). batch=False: async code of a Django process runs on several event loops."""
    from rpcc.channels import set_centrifugo_api

    url = getattr(settings, "RPCC_CENTRIFUGO_API_URL", None)
    key = getattr(settings, "RPCC_CENTRIFUGO_API_KEY", None)
    if url and key:
        set_centrifugo_api(CentrifugoAPI(url, key, batch=False))


def contract_policy_from_settings() -> ContractPolicy:
    """``RPCC_CONTRACT_MISMATCH`` and ``RPCC_CONTRACT_MISSING`` ("accept", "log" or "refuse"), ``RPCC_CONTRACT_OLDER``
    and ``RPCC_CONTRACT_COMPATIBLE`` (lists of hashes): see rpcc.bridge.ContractPolicy."""
    return ContractPolicy(on_mismatch=getattr(settings, "RPCC_CONTRACT_MISMATCH", "accept"),
                          on_missing=getattr(settings, "RPCC_CONTRACT_MISSING", "accept"),
                          older=frozenset(getattr(settings, "RPCC_CONTRACT_OLDER", ())),
                          compatible=frozenset(getattr(settings, "RPCC_CONTRACT_COMPATIBLE", ())))
