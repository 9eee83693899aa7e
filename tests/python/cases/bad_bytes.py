"""A handler module the exporter must refuse (plain bytes)."""
from pydantic import BaseModel

from rpcc import websocket_rpc


class Upload(BaseModel):
    payload: bytes


class Done(BaseModel):
    ok: bool


@websocket_rpc("bad.upload")
async def upload(conn, params: Upload) -> Done:
    return Done(ok=True)
