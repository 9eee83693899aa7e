"""The Centrifugo v6 configuration for both transports (see python/README.md, "Centrifugo configuration")."""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from typing import Any

__all__ = ["make_config", "render_config", "bridge_env", "render_env", "proxy_secret", "DEFAULT_MESSAGE_SIZE_LIMIT",
           "DEFAULT_CLIENT_CONCURRENCY", "PROXY_SECRET_HEADER"]

REQUEST_NAMESPACE = "rpc"
REQUEST_CHANNEL = "rpc:requests"
PROXY_SECRET_HEADER = "X-Rpcc-Proxy-Secret"  # rpcc.bridge.PROXY_SECRET_HEADER (kept import-free of pydantic)
DEFAULT_MESSAGE_SIZE_LIMIT = 65536  # Centrifugo's default websocket.message_size_limit, written out explicitly
# client.concurrency: Centrifugo's default (0) runs one command of a connection at a time, in the loop that reads
# the connection, so one slow RPC holds every later command of that client (its other calls and publishes, and even
# the reading of an oversize message, which Centrifugo answers by closing the connection) until it ends. Not much
# more than a few: a client's burst of calls becomes that many proxy requests queued at the bridge at once, and on a
# busy bridge the last of them wait past the publish proxy's timeout (64 did, in a test of 1,000 calls at once).
DEFAULT_CLIENT_CONCURRENCY = 16


def make_config(
    bridge_url: str = "http://127.0.0.1:3000",
    *,
    hmac_secret: str | None = None,
    api_key: str | None = None,
    proxy_secret: str | None = None,
    message_size_limit: int = DEFAULT_MESSAGE_SIZE_LIMIT,
    client_concurrency: int = DEFAULT_CLIENT_CONCURRENCY,
    address: str = "127.0.0.1",
    port: int = 8000,
    rpc_timeout: str = "10s",
    publish_timeout: str = "3s",
    subscribe_timeout: str = "3s",
    log_level: str = "info",
    channel_namespaces: Mapping[str | None, Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """A Centrifugo v6 config serving both transports through the bridge at ``bridge_url``.

    Fresh random secrets unless given. RPC transport: ``rpc.without_namespace.proxy_enabled`` sends every client
    ``rpc`` call to ``<bridge>/centrifugo/rpc``. Pub/sub transport: clients subscribe to their own ``user#<id>``
    channel (``allow_user_limited_channels``) and publish requests to ``rpc:requests``; the ``rpc`` namespace sends
    every publication through the publish proxy ``<bridge>/centrifugo/publish`` first. Nobody may subscribe to
    ``rpc:requests`` (``allow_subscribe_for_client`` stays off) and it keeps no history.

    Every proxy request carries ``X-Rpcc-Proxy-Secret: <proxy_secret>`` (``*.proxy.http.static_headers``): the
    bridge refuses requests without it. ``websocket.message_size_limit`` is written out (Centrifugo drops a
    connection that sends a bigger message). ``client.concurrency`` (``client_concurrency``, at least 2) lets
    Centrifugo run that many commands of one connection at once instead of one after another.
    """
    if client_concurrency < 2:
        # 0 and 1 both mean one command at a time in Centrifugo (see DEFAULT_CLIENT_CONCURRENCY).
        raise ValueError(f"client concurrency must be at least 2, got {client_concurrency}")
    bridge = bridge_url.rstrip("/")
    secret_headers = {PROXY_SECRET_HEADER: proxy_secret or secrets.token_urlsafe(32)}
    config: dict[str, Any] = {
        "http_server": {"address": address, "port": port},
        "log": {"level": log_level},
        "client": {
            "token": {"hmac_secret_key": hmac_secret or secrets.token_urlsafe(32)},
            "allowed_origins": [],
            "concurrency": client_concurrency,
        },
        "http_api": {"key": api_key or secrets.token_urlsafe(32)},
        "websocket": {"message_size_limit": message_size_limit},
        "health": {"enabled": True},
        "channel": {
            "without_namespace": {"allow_user_limited_channels": True},
            "namespaces": [
                {
                    "name": REQUEST_NAMESPACE,
                    "publish_proxy_enabled": True,
                    "allow_publish_for_client": True,
                }
            ],
            "proxy": {"publish": {"endpoint": f"{bridge}/centrifugo/publish", "timeout": publish_timeout,
                                  "http": {"static_headers": dict(secret_headers)}}},
        },
        "rpc": {
            "proxy": {"endpoint": f"{bridge}/centrifugo/rpc", "timeout": rpc_timeout,
                      "http": {"static_headers": dict(secret_headers)}},
            "without_namespace": {"proxy_enabled": True},
        },
    }
    if channel_namespaces:
        add_channel_namespaces(config, channel_namespaces, bridge_url=bridge, subscribe_timeout=subscribe_timeout,
                               secret_headers=secret_headers)
    return config


def add_channel_namespaces(config: dict[str, Any], namespaces: Mapping[str | None, Mapping[str, Any]], *,
                           bridge_url: str, subscribe_timeout: str, secret_headers: Mapping[str, str]) -> None:
    """The namespaces typed channels need (``rpcc.channels.namespace_options``: None is the channels without a
    namespace), and the subscribe proxy ``<bridge>/centrifugo/subscribe`` when a channel has a guard. The publish
    proxy is the pub/sub transport's (the bridge tells the two apart by namespace)."""
    channel = config["channel"]
    for name, options in namespaces.items():
        if name is None:
            channel["without_namespace"] = {**channel["without_namespace"], **options}
        elif name == REQUEST_NAMESPACE:
            raise ValueError(f"namespace {REQUEST_NAMESPACE!r} belongs to the pub/sub transport")
        else:
            channel["namespaces"].append({"name": name, **options})
    if any(options.get("subscribe_proxy_enabled") for options in namespaces.values()):
        channel["proxy"]["subscribe"] = {"endpoint": f"{bridge_url}/centrifugo/subscribe",
                                         "timeout": subscribe_timeout,
                                         "http": {"static_headers": dict(secret_headers)}}


def render_config(config: dict[str, Any]) -> str:
    return json.dumps(config, indent=2) + "\n"


def proxy_secret(config: dict[str, Any]) -> str:
    """The secret a config makes Centrifugo send to the bridge (the RPC proxy's static header)."""
    return str(config["rpc"]["proxy"]["http"]["static_headers"][PROXY_SECRET_HEADER])


def bridge_env(config: dict[str, Any], *, api_url: str | None = None) -> dict[str, str]:
    """The bridge's settings matching ``config``: what ``python -m rpcc config --env-file`` writes and
    ``python -m rpcc serve --env-file`` reads."""
    server = config["http_server"]
    host = server.get("address") or "127.0.0.1"
    if host in ("0.0.0.0", "::"):
        host = "127.0.0.1"
    return {
        "RPCC_PROXY_SECRET": proxy_secret(config),
        "RPCC_CENTRIFUGO_API_URL": api_url or f"http://{host}:{server.get('port', 8000)}/api",
        "RPCC_CENTRIFUGO_API_KEY": str(config["http_api"]["key"]),
        # the bridge's limits follow Centrifugo's: handlers end when Centrifugo stops waiting, replies fit in a
        # client message
        "RPCC_HANDLER_TIMEOUT": f"{duration_seconds(config['rpc']['proxy']['timeout']):g}",
        "RPCC_PUBLISH_TIMEOUT": f"{duration_seconds(config['channel']['proxy']['publish']['timeout']):g}",
        **({"RPCC_SUBSCRIBE_TIMEOUT": f"{duration_seconds(config['channel']['proxy']['subscribe']['timeout']):g}"}
           if "subscribe" in config["channel"]["proxy"] else {}),
        "RPCC_MAX_MESSAGE_SIZE": str(config.get("websocket", {}).get("message_size_limit",
                                                                      DEFAULT_MESSAGE_SIZE_LIMIT)),
    }


def duration_seconds(text: str) -> float:
    """A Centrifugo duration such as ``10s``, ``500ms`` or ``1m30s`` in seconds."""
    import re

    units = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001, "us": 1e-6, "µs": 1e-6, "ns": 1e-9}
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)", text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise ValueError(f"not a duration: {text!r} (e.g. 10s, 500ms)")
    return sum(float(n) * units[u] for n, u in parts)


def render_env(values: dict[str, str]) -> str:
    lines = ["# rpcc bridge settings written by `python -m rpcc config`; keep this file secret (mode 0600).",
             "# Use: python -m rpcc serve MODULE... --env-file THIS_FILE"]
    lines += [f"{k}={v}" for k, v in values.items()]
    return "\n".join(lines) + "\n"
