"""The tasks example of the original design: Centrifugo RPC handlers with Pydantic v2 models.

Export:  python -m rpcc export tasks_handlers -P python/examples -o tasks.rpc
Serve:   python -m rpcc config -o centrifugo.json --env-file bridge.env    (Centrifugo's config and the bridge's secret)
         python -m rpcc serve tasks_handlers -P python/examples --port 3000 --env-file bridge.env

State lives in memory (per process), keyed by user, so tests of different users do not see each other's tasks.
"""

from __future__ import annotations

import asyncio
import itertools
from datetime import datetime, timedelta, timezone
from enum import Enum
from typing import Optional

from pydantic import BaseModel, Field

from rpcc import Connection, RPCError, websocket_rpc


class TaskStatus(str, Enum):
    """Lifecycle state of a task."""

    open = "open"
    in_progress = "in_progress"
    done = "done"


class Priority(int, Enum):
    """How urgent a task is."""

    low = 1
    normal = 2
    high = 3


class Task(BaseModel):
    """One task of a user."""

    id: int = Field(description="Task ID, unique per server.")
    title: str = Field(min_length=1, max_length=200)
    status: TaskStatus
    priority: Priority = Priority.normal
    labels: list[str] = []
    created_at: datetime
    due: Optional[datetime] = None


class TaskStatsParams(BaseModel):
    """Parameters for tasks.get_stats."""

    user_id: str = Field(description="User ID to fetch.")
    limit: int = Field(10, ge=1, le=100, description="Max results.")
    since: Optional[datetime] = None
    statuses: list[TaskStatus] = []


class TaskStatsResult(BaseModel):
    """Counts of a user's tasks."""

    total: int
    by_status: dict[TaskStatus, int]
    avg_cycle: Optional[timedelta] = Field(description="Mean time from creation to done; null when nothing is done.")


class TaskListParams(BaseModel):
    """Parameters for tasks.list."""

    status: Optional[TaskStatus] = None
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0)


class TaskList(BaseModel):
    items: list[Task]
    total: int


class TaskCreateParams(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    priority: Priority = Priority.normal
    labels: list[str] = Field(default_factory=list, max_length=10)
    due: Optional[datetime] = None


class TaskUpdateParams(BaseModel):
    """Change some fields of a task; absent fields stay as they are."""

    id: int
    title: Optional[str] = Field(None, min_length=1, max_length=200)
    status: Optional[TaskStatus] = None
    priority: Optional[Priority] = None


class HealthResult(BaseModel):
    status: str
    time: datetime


class TaskNotFound(RPCError):
    """Raised for a task id the user does not have."""

    code = 1404


class TaskClosed(RPCError):
    code = 1409


_ids = itertools.count(1)
_tasks: dict[str, dict[int, Task]] = {}
_done_at: dict[int, datetime] = {}


def _now() -> datetime:
    return datetime.now(timezone.utc)


@websocket_rpc("tasks.get_stats")
async def get_task_stats(conn: Connection, params: TaskStatsParams) -> TaskStatsResult:
    """Get task statistics.

    Retrieves full counts for one user.
    """
    tasks = list(_tasks.get(params.user_id, {}).values())
    if params.since is not None:
        since = params.since if params.since.tzinfo else params.since.replace(tzinfo=timezone.utc)
        tasks = [t for t in tasks if t.created_at >= since]
    if params.statuses:
        tasks = [t for t in tasks if t.status in params.statuses]
    tasks = tasks[: params.limit]
    by_status = {s: sum(1 for t in tasks if t.status is s) for s in TaskStatus}
    cycles = [_done_at[t.id] - t.created_at for t in tasks if t.id in _done_at]
    avg = sum(cycles, timedelta()) / len(cycles) if cycles else None
    return TaskStatsResult(total=len(tasks), by_status=by_status, avg_cycle=avg)


@websocket_rpc("tasks.list")
async def list_tasks(conn: Connection, params: TaskListParams) -> TaskList:
    """List the caller's tasks, newest first."""
    tasks = sorted(_tasks.get(conn.user_id, {}).values(), key=lambda t: t.id, reverse=True)
    if params.status is not None:
        tasks = [t for t in tasks if t.status is params.status]
    return TaskList(items=tasks[params.offset: params.offset + params.limit], total=len(tasks))


@websocket_rpc("tasks.create")
async def create_task(conn: Connection, params: TaskCreateParams) -> Task:
    """Create a task for the caller."""
    task = Task(id=next(_ids), title=params.title, status=TaskStatus.open, priority=params.priority,
                labels=params.labels, created_at=_now(), due=params.due)
    _tasks.setdefault(conn.user_id, {})[task.id] = task
    return task


@websocket_rpc("tasks.update")
async def update_task(conn: Connection, params: TaskUpdateParams) -> Task:
    """Update a task of the caller.

    Errors: 1404 when the task does not exist, 1409 when it is already done.
    """
    task = _tasks.get(conn.user_id, {}).get(params.id)
    if task is None:
        raise TaskNotFound(f"task {params.id} not found")
    if task.status is TaskStatus.done:
        raise TaskClosed(f"task {params.id} is already done")
    changes = params.model_dump(exclude={"id"}, exclude_none=True)
    task = task.model_copy(update=changes)
    _tasks[conn.user_id][task.id] = task
    if task.status is TaskStatus.done:
        _done_at[task.id] = _now()
    return task


@websocket_rpc("system.health")
async def health(conn: Connection) -> HealthResult:
    """Liveness check; takes no parameters."""
    await asyncio.sleep(0)
    return HealthResult(status="ok", time=_now())
