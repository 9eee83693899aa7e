"""rpcc: Centrifugo WebSocket RPC handlers with Pydantic v2 models.

``@websocket_rpc("tasks.get_stats")`` registers ``async def handler(conn, params: Params) -> Result``;
``rpcc.channel(...)`` declares a typed channel (:mod:`rpcc.channels`). ``python -m rpcc export`` writes the ``.rpc``
IDL for the registered handlers and channels; :mod:`rpcc.bridge` serves them behind Centrifugo's RPC proxy, publish
proxy and subscribe proxy.
"""

from .bridge import Bridge, CentrifugoAPI, RPCError
from .channels import (
    Channel,
    ChannelError,
    ChannelParamError,
    History,
    PublicationError,
    Published,
    channel,
    set_centrifugo_api,
)
from .discovery import DiscoveryError, discover
from .exporter import ExportError, export, export_handlers
from .router import Connection, Handler, MessageRouter, RegistrationError, default_router, websocket_rpc
from .types import Base64Bytes

__all__ = [
    "Base64Bytes",
    "Bridge",
    "CentrifugoAPI",
    "Channel",
    "ChannelError",
    "ChannelParamError",
    "Connection",
    "DiscoveryError",
    "ExportError",
    "Handler",
    "History",
    "MessageRouter",
    "PublicationError",
    "Published",
    "RPCError",
    "RegistrationError",
    "channel",
    "default_router",
    "discover",
    "export",
    "export_handlers",
    "set_centrifugo_api",
    "websocket_rpc",
]

__version__ = "0.1.0"
