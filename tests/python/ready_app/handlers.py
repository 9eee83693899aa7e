from pydantic import BaseModel

from rpcc import Connection, websocket_rpc


class Pong(BaseModel):
    user_id: str


@websocket_rpc("ready.ping")
async def ping(conn: Connection) -> Pong:
    """Registered when Django starts, by ReadyAppConfig.ready()."""
    return Pong(user_id=conn.user_id)
