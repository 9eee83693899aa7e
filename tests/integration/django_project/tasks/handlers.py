"""Handlers as the old system's documentation writes them: Pydantic models and @websocket_rpc, where only the
import line changed (it was the old package's decorator)."""
from pydantic import BaseModel, Field

from rpcc import Connection, websocket_rpc


class TaskStatsParams(BaseModel):
    user_id: str = Field(..., description="User ID to fetch stats for")
    limit: int = Field(10, ge=1, le=100)


class TaskStatsResult(BaseModel):
    user_id: str
    total: int
    completed: int
    caller: str


@websocket_rpc("tasks.get_stats")
async def get_task_stats(conn: Connection, params: TaskStatsParams) -> TaskStatsResult:
    """Get task statistics for a user."""
    return TaskStatsResult(user_id=params.user_id, total=params.limit * 3, completed=params.limit, caller=conn.user_id)


class ProfileParams(BaseModel):
    user_id: str


class Profile(BaseModel):
    user_id: str
    name: str


# A Centrifugo method name that is no dotted identifier: the exporter gives it @method("user-profile.get").
@websocket_rpc("user-profile.get")
async def get_user_profile(conn: Connection, params: ProfileParams) -> Profile:
    """Get a user's profile."""
    return Profile(user_id=params.user_id, name=f"User {params.user_id}")
