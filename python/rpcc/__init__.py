"""rpcc: Centrifugo WebSocket RPC handlers with Pydantic v2 models.

``@websocket_rpc("tasks.get_stats")`` registers ``async def handler(conn, params: Params) -> Result``;
``python -m rpcc export`` writes the ``.rpc`` IDL for the registered handlers; :mod:`rpcc.bridge` serves them behind
Centrifugo's RPC proxy and publish proxy.
"""

from .bridge import Bridge, CentrifugoAPI, RPCError
from .discovery import DiscoveryError, discover
from .exporter import ExportError, export, export_handlers
from .router import Connection, Handler, MessageRouter, RegistrationError, default_router, websocket_rpc
from .types import Base64Bytes

__all__ = [
    "Base64Bytes",
    "Bridge",
    "CentrifugoAPI",
    "Connection",
    "DiscoveryError",
    "ExportError",
    "Handler",
    "MessageRouter",
    "RPCError",
    "RegistrationError",
    "default_router",
    "discover",
    "export",
    "export_handlers",
    "websocket_rpc",
]

__version__ = "0.1.0"
