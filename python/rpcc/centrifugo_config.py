"""The Centrifugo v6 configuration for both transports (see python/README.md, "Centrifugo configuration")."""

from __future__ import annotations

import json
import secrets
from typing import Any, Optional

__all__ = ["make_config", "render_config"]

REQUEST_NAMESPACE = "rpc"
REQUEST_CHANNEL = "rpc:requests"


def make_config(
    bridge_url: str = "http://127.0.0.1:3000",
    *,
    hmac_secret: Optional[str] = None,
    api_key: Optional[str] = None,
    address: str = "127.0.0.1",
    port: int = 8000,
    rpc_timeout: str = "10s",
    publish_timeout: str = "3s",
    log_level: str = "info",
) -> dict[str, Any]:
    """A Centrifugo v6 config serving both transports through the bridge at ``bridge_url``.

    Fresh random secrets unless given. RPC transport: ``rpc.without_namespace.proxy_enabled`` sends every client
    ``rpc`` call to ``<bridge>/centrifugo/rpc``. Pub/sub transport: clients subscribe to their own ``user#<id>``
    channel (``allow_user_limited_channels``) and publish requests to ``rpc:requests``; the ``rpc`` namespace sends
    every publication through the publish proxy ``<bridge>/centrifugo/publish`` first. Nobody may subscribe to
    ``rpc:requests`` (``allow_subscribe_for_client`` stays off) and it keeps no history.
    """
    bridge = bridge_url.rstrip("/")
    return {
        "http_server": {"address": address, "port": port},
        "log": {"level": log_level},
        "client": {
            "token": {"hmac_secret_key": hmac_secret or secrets.token_urlsafe(32)},
            "allowed_origins": [],
        },
        "http_api": {"key": api_key or secrets.token_urlsafe(32)},
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
            "proxy": {"publish": {"endpoint": f"{bridge}/centrifugo/publish", "timeout": publish_timeout}},
        },
        "rpc": {
            "proxy": {"endpoint": f"{bridge}/centrifugo/rpc", "timeout": rpc_timeout},
            "without_namespace": {"proxy_enabled": True},
        },
    }


def render_config(config: dict[str, Any]) -> str:
    return json.dumps(config, indent=2) + "\n"
