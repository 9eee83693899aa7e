"""How a user calls the tasks SDK; checked by mypy --strict (test_static.py). Never run."""

from __future__ import annotations

from tasks_client import (
    APIClient,
    CentrifugoRPCClient,
    Priority,
    RPCConnectionError,
    RPCError,
    RPCTimeoutError,
    Task,
    TaskCreateParams,
    TaskStatsParams,
    TaskStatsResult,
    TaskStatus,
)


async def example(url: str, token: str) -> None:
    async with APIClient(url, token, "user-1", transport="pubsub", timeout=5) as api:
        stats: TaskStatsResult = await api.tasks_get_stats(TaskStatsParams(user_id="1", statuses=[TaskStatus.DONE]))
        total: int = stats.total
        counts: dict[TaskStatus | str, int] = stats.by_status  # open enum: unknown values stay str
        task: Task = await api.tasks_create(TaskCreateParams(title="x", priority=Priority.HIGH), timeout=1.5)
        task_id: int = task.id
        try:
            await api.system_health()
        except RPCTimeoutError as exc:
            code: int = exc.code
            del code
        except RPCConnectionError as exc:
            message: str = exc.message
            del message
        except RPCError as exc:
            temporary: bool = exc.temporary
            del temporary
        del total, counts, task_id


async def old_generator_form(url: str, token: str) -> None:
    """The thin-wrapper form of the generator rpcc replaces: a base client, connected, then wrapped."""
    rpc = CentrifugoRPCClient(url, token, "user-123")
    await rpc.connect()
    api = APIClient(rpc)
    stats: TaskStatsResult = await api.tasks_get_stats(TaskStatsParams(user_id="123"))
    del stats
    await rpc.close()
