"""The generated Python SDK against a real Centrifugo v6 and the rpcc bridge with the example handlers
(tests/fixture): every example method over both transports, typed results, typed errors, timeouts, disconnects,
and the README's example as a user would run it."""

from __future__ import annotations

import asyncio
import importlib
import json
import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from conftest import OUT, REPO, generate

from tests.fixture.pytest_plugin import centrifugo_stack  # noqa: F401  (session fixture)
from tests.fixture.stack import Stack

TRANSPORTS = ["rpc", "pubsub"]
USER = "user-1"


@pytest.fixture(scope="session")
def live_sdk() -> dict[str, ModuleType]:
    """SDKs for spec/examples/tasks.rpc and for the debug handlers (exported from python/examples now)."""
    root = OUT / "live"
    site = root / "site"
    site.mkdir(parents=True, exist_ok=True)
    debug_rpc = root / "debug.rpc"
    proc = subprocess.run([sys.executable, "-m", "rpcc", "export", "debug_handlers", "-P",
                           str(REPO / "python" / "examples"), "-o", str(debug_rpc)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    generated = [generate(REPO / "spec" / "examples" / "tasks.rpc", root / "gen", site),
                 generate(debug_rpc, root / "gen", site)]
    sys.path.insert(0, str(site))
    return {g.source.stem: importlib.import_module(g.package) for g in generated}


@pytest.fixture(scope="session")
def stack(centrifugo_stack: Stack) -> Stack:  # noqa: F811
    return centrifugo_stack


def client(sdk: ModuleType, stack: Stack, transport: str, **options: Any) -> Any:
    return sdk.APIClient(stack.centrifugo_url, stack.token(USER), USER, transport=transport, **options)


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_every_tasks_method(live_sdk: dict[str, ModuleType], stack: Stack, transport: str) -> None:
    t = live_sdk["tasks"]
    async with client(t, stack, transport, timeout=10) as api:
        health = await api.system_health()
        assert isinstance(health, t.HealthResult) and health.status == "ok" and health.time.tzinfo is not None

        created = await api.tasks_create(t.TaskCreateParams(title=f"write {transport} tests", labels=["a", "b"]))
        assert isinstance(created, t.Task)
        assert created.status is t.TaskStatus.OPEN and created.priority is t.Priority.NORMAL
        assert created.labels == ["a", "b"] and created.due is None

        urgent = await api.tasks_create(t.TaskCreateParams(title="urgent", priority=t.Priority.HIGH))
        assert urgent.priority is t.Priority.HIGH

        page = await api.tasks_list(t.TaskListParams(limit=500))
        assert isinstance(page, t.TaskList) and all(isinstance(item, t.Task) for item in page.items)
        assert {created.id, urgent.id} <= {item.id for item in page.items}
        only_open = await api.tasks_list(t.TaskListParams(status=t.TaskStatus.OPEN))
        assert all(item.status is t.TaskStatus.OPEN for item in only_open.items)

        done = await api.tasks_update(t.TaskUpdateParams(id=created.id, status=t.TaskStatus.DONE))
        assert done.status is t.TaskStatus.DONE and done.title == created.title

        stats = await api.tasks_get_stats(t.TaskStatsParams(user_id=USER, statuses=[t.TaskStatus.DONE]))
        assert isinstance(stats, t.TaskStatsResult) and stats.total >= 1
        assert stats.by_status[t.TaskStatus.DONE] >= 1 and stats.avg_cycle is not None

        with pytest.raises(t.RPCError) as missing:
            await api.tasks_update(t.TaskUpdateParams(id=10**9))
        assert type(missing.value) is t.RPCError
        assert (missing.value.code, missing.value.message) == (1404, f"task {10**9} not found")

        with pytest.raises(t.RPCError) as closed:
            await api.tasks_update(t.TaskUpdateParams(id=created.id, title="again"))
        assert closed.value.code == 1409


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_application_errors_and_crashes(live_sdk: dict[str, ModuleType], stack: Stack, transport: str) -> None:
    d = live_sdk["debug"]
    async with client(d, stack, transport) as api:
        with pytest.raises(d.RPCError) as default:
            await api.debug_fail(d.FailParams())
        assert (default.value.code, default.value.message) == (1400, "failed on purpose")
        with pytest.raises(d.RPCError) as custom:
            await api.debug_fail(d.FailParams(code=1777, message="über \"quoted\""))
        assert (custom.value.code, custom.value.message) == (1777, "über \"quoted\"")
        with pytest.raises(d.RPCError) as crash:
            await api.debug_fail(d.FailParams(crash=True))
        assert not isinstance(crash.value, (d.RPCTimeoutError, d.RPCConnectionError))
        assert "hunter2" not in crash.value.message
        # the connection is still usable after errors
        assert (await api.debug_echo(d.EchoParams(value=1))).value == 1


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_echo_carries_the_authenticated_user(live_sdk: dict[str, ModuleType], stack: Stack,
                                                   transport: str) -> None:
    d = live_sdk["debug"]
    value = {"nested": [1, 2.5, "ü", None, True], "big": 2**63 - 1}
    async with client(d, stack, transport) as api:
        echo = await api.debug_echo(d.EchoParams(value=value))
        assert isinstance(echo, d.EchoResult)
        assert echo.user_id == USER and echo.transport == transport and echo.value == value
        results = await asyncio.gather(*(api.debug_echo(d.EchoParams(value=n)) for n in range(20)))
        assert [r.value for r in results] == list(range(20))


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_timeout_is_typed_and_the_client_recovers(live_sdk: dict[str, ModuleType], stack: Stack,
                                                         transport: str) -> None:
    d = live_sdk["debug"]
    async with client(d, stack, transport, timeout=10) as api:
        with pytest.raises(d.RPCTimeoutError) as info:
            await api.debug_sleep(d.SleepParams(seconds=2), timeout=0.3)
        assert info.value.code == 1 and isinstance(info.value, d.RPCError)
        assert api._router.pending == {}
        slept = await api.debug_sleep(d.SleepParams(seconds=0.1))
        assert slept.slept == 0.1


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_disconnect_fails_the_call_in_flight(live_sdk: dict[str, ModuleType], stack: Stack,
                                                   transport: str) -> None:
    d = live_sdk["debug"]
    async with client(d, stack, transport, timeout=10) as api:
        await api.debug_echo(d.EchoParams())
        call = asyncio.ensure_future(api.debug_sleep(d.SleepParams(seconds=1.5)))
        await asyncio.sleep(0.5)
        reconnect = {"code": 4000, "reason": "test: reconnect"}  # 4000..4499: the client reconnects
        answer = await asyncio.to_thread(stack.api, "disconnect", {"user": USER, "disconnect": reconnect})
        assert "error" not in answer, answer
        with pytest.raises(d.RPCConnectionError):
            await call
        # the client reconnects by itself (and resubscribes for pubsub); new calls work
        echo = await api.debug_echo(d.EchoParams(value="after"))
        assert echo.value == "after"


async def test_closing_fails_the_call_in_flight(live_sdk: dict[str, ModuleType], stack: Stack) -> None:
    d = live_sdk["debug"]
    api = client(d, stack, "pubsub")
    await api.connect()
    call = asyncio.ensure_future(api.debug_sleep(d.SleepParams(seconds=1)))
    await asyncio.sleep(0.3)
    await api.close()
    with pytest.raises(d.RPCConnectionError):
        await call


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_bad_token_fails_connect(live_sdk: dict[str, ModuleType], stack: Stack, transport: str) -> None:
    t = live_sdk["tasks"]
    api = t.APIClient(stack.centrifugo_url, "not-a-jwt", USER, transport=transport, timeout=5)
    with pytest.raises(t.RPCConnectionError):
        await api.connect()


async def test_token_getter(live_sdk: dict[str, ModuleType], stack: Stack) -> None:
    t = live_sdk["tasks"]
    calls: list[int] = []

    async def get_token() -> str:
        calls.append(1)
        return stack.token(USER)

    async with t.APIClient(stack.centrifugo_url, user_id=USER, get_token=get_token, transport="pubsub") as api:
        assert (await api.system_health()).status == "ok"
    assert calls


async def test_unknown_method_is_a_server_error(live_sdk: dict[str, ModuleType], stack: Stack) -> None:
    t = live_sdk["tasks"]
    async with client(t, stack, "rpc") as api:
        with pytest.raises(t.RPCError) as info:
            await api.call("no.such_method", {})
        assert not isinstance(info.value, (t.RPCTimeoutError, t.RPCConnectionError))


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_old_generator_form_wraps_a_connected_client(live_sdk: dict[str, ModuleType], stack: Stack,
                                                           transport: str) -> None:
    """The old generator's documented usage: connect a CentrifugoRPCClient, wrap it in APIClient, call, close.
    Before the fix APIClient(rpc) was accepted and the first call raised "not connected"."""
    t = live_sdk["tasks"]
    rpc = t.CentrifugoRPCClient(stack.centrifugo_url, stack.token(USER), USER, transport=transport)
    await rpc.connect()
    try:
        api = t.APIClient(rpc)
        stats = await api.tasks_get_stats(t.TaskStatsParams(user_id=USER))
        assert isinstance(stats, t.TaskStatsResult)
        assert (await api.system_health()).status == "ok"
    finally:
        await rpc.close()
    with pytest.raises(t.RPCConnectionError):
        await api.system_health()  # closing rpc closed the one connection both use


def test_readme_example_runs(live_sdk: dict[str, ModuleType], stack: Stack) -> None:
    """The usage block of the generated README, run as a script with the stack's URL and a token."""
    readme = (OUT / "live" / "gen" / "tasks" / "python" / "README.md").read_text()
    code = re.search(r"```python\n(.*?)```", readme, re.DOTALL)
    assert code is not None
    script = code.group(1)
    assert "TOKEN" in script and "ws://localhost:8000/connection/websocket" in script
    script = script.replace("ws://localhost:8000/connection/websocket", stack.centrifugo_url)
    script = f"TOKEN = {stack.token('42')!r}\n" + script
    env = {**os.environ, "PYTHONPATH": str(OUT / "live" / "site")}
    proc = subprocess.run([sys.executable, "-W", "error", "-c", script], capture_output=True, text=True,
                          timeout=60, env=env, check=False)
    assert proc.returncode == 0, proc.stderr + stack.logs()
    assert "title='example'" in proc.stdout


def test_live_outputs_are_ours(live_sdk: dict[str, ModuleType]) -> None:
    """The SDKs under test are the ones generated for this run."""
    for module in live_sdk.values():
        assert Path(module.__file__ or "").is_relative_to(OUT / "live" / "site")


def bridge_stats(stack: Stack) -> dict[str, int]:
    with urllib.request.urlopen(f"{stack.bridge_url}/health", timeout=10) as answer:
        stats: dict[str, int] = json.load(answer)["stats"]
    return stats


async def notified(api: Any, sdk: ModuleType, key: str, expected: int) -> int:
    """The server's count for ``key``, asked until it reaches ``expected`` (one-way calls finish after they
    return) or 200 rounds passed: a bound on the wait, not a timing assertion."""
    count = -1
    for _ in range(200):
        count = (await api.debug_notified(sdk.CountParams(key=key))).count
        if count >= expected:
            break
        await asyncio.sleep(0.05)
    return count


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_oneway_calls_return_nothing_and_a_burst_is_all_handled(
    live_sdk: dict[str, ModuleType], stack: Stack, transport: str
) -> None:
    d = live_sdk["debug"]
    key = f"py-burst-{transport}-{os.getpid()}"
    failed_before = bridge_stats(stack)["oneway_failed"]
    async with client(d, stack, transport, timeout=10) as api:
        # Refused by the handler: the client gets nothing, neither a reply nor an error, now or later.
        assert await api.debug_notify(d.NotifyParams(key=key, reject=True)) is None
        burst = 200
        await asyncio.gather(*(api.debug_notify(d.NotifyParams(key=key)) for _ in range(burst)))
        assert await notified(api, d, key, burst) == burst
        echo = await api.debug_echo(d.EchoParams(value="after the burst"))
        assert echo.value == "after the burst"
    assert bridge_stats(stack)["oneway_failed"] >= failed_before + 1


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_oneway_call_too_large_is_refused_before_sending(
    live_sdk: dict[str, ModuleType], stack: Stack, transport: str
) -> None:
    d = live_sdk["debug"]
    async with client(d, stack, transport, timeout=10, max_message_size=100) as api:
        with pytest.raises(d.RPCRequestTooLargeError):
            await api.debug_notify(d.NotifyParams(key="k" * 64), timeout=5)


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_batch_returns_each_typed_result_or_error(
    live_sdk: dict[str, ModuleType], stack: Stack, transport: str
) -> None:
    d = live_sdk["debug"]
    async with client(d, stack, transport, timeout=10) as api:
        echo, failed, slept = await api.batch(
            api.debug_echo(d.EchoParams(value="first")),
            api.debug_fail(d.FailParams(code=1409, message="only this one")),
            api.debug_sleep(d.SleepParams(seconds=0)),
        )
        assert isinstance(echo, d.EchoResult) and echo.value == "first" and echo.transport == transport
        assert isinstance(failed, d.RPCError) and (failed.code, failed.message) == (1409, "only this one")
        assert isinstance(slept, d.SleepResult) and slept.slept == 0
        many = await api.batch(*(api.debug_echo(d.EchoParams(value=i)) for i in range(100)))
        assert [entry.value for entry in many if isinstance(entry, d.EchoResult)] == list(range(100))
        with pytest.raises(d.RPCRequestTooLargeError, match="max_batch=100"):
            await api.batch(*(api.debug_echo(d.EchoParams(value=i)) for i in range(101)))
        with pytest.raises(d.RPCRequestTooLargeError, match="message size limit"):
            await api.batch(*(api.debug_echo(d.EchoParams(value="x" * 1000)) for _ in range(70)))
        assert (await api.debug_echo(d.EchoParams(value="after"))).value == "after"


@pytest.fixture(scope="module")
def refusing_stack(live_sdk: dict[str, ModuleType]) -> Any:
    """A second stack whose bridge serves the debug handlers only and refuses clients of another contract; it
    knows the contract of tasks.rpc as an older one of its own (spec/evolution.md, "Comparing hashes at run
    time")."""
    from tests.fixture.stack import start_stack

    with start_stack(modules=("debug_handlers",), bridge_args=[
            "--on-contract-mismatch", "refuse", "--contract-older", live_sdk["tasks"].CONTRACT_HASH]) as refusing:
        yield refusing


@pytest.fixture(scope="module")
def newer_sdk(live_sdk: dict[str, ModuleType]) -> ModuleType:
    """A client of a newer contract than the debug handlers': their exported file with one more method."""
    root = OUT / "live"
    source = root / "newer.rpc"
    source.write_text((root / "debug.rpc").read_text() + "\nrpc debug.later(EchoParams) -> EchoResult;\n")
    return importlib.import_module(generate(source, root / "gen", root / "site").package)


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_a_refusing_bridge_tells_older_and_other_contracts(live_sdk: dict[str, ModuleType],
                                                                  newer_sdk: ModuleType, refusing_stack: Stack,
                                                                  transport: str) -> None:
    d, t = live_sdk["debug"], live_sdk["tasks"]
    before = bridge_stats(refusing_stack)
    # The same contract: its calls pass, and the bridge counts the hash it received as its own.
    async with client(d, refusing_stack, transport) as api:
        assert (await api.debug_echo(d.EchoParams(value=[1, "x"]))).value == [1, "x"]
    assert bridge_stats(refusing_stack)["contract_match"] == before["contract_match"] + 1
    # An older contract (listed with --contract-older): refused before the method is looked up.
    async with client(t, refusing_stack, transport) as api:
        with pytest.raises(t.RPCContractOlderError) as older:
            await api.system_health()
    assert older.value.code == 426 and isinstance(older.value, t.RPCContractMismatchError)
    assert f"the client's contract {t.CONTRACT_HASH} is older than the server's {d.CONTRACT_HASH}" \
        in older.value.message
    # Another contract (a newer client): refused as different, not older.
    async with client(newer_sdk, refusing_stack, transport) as api:
        with pytest.raises(newer_sdk.RPCContractMismatchError) as other:
            await api.debug_echo(newer_sdk.EchoParams(value=1))
    assert type(other.value) is newer_sdk.RPCContractMismatchError and other.value.code == 412
    assert f"the client's contract {newer_sdk.CONTRACT_HASH} differs from the server's {d.CONTRACT_HASH}" \
        in other.value.message
    # A client that sends no hash (the base client alone, as an SDK older than hashes): accepted, counted.
    async with d.CentrifugoRPCClient(refusing_stack.centrifugo_url, refusing_stack.token(USER), USER,
                                     transport=transport) as raw:
        assert (await raw.call("debug.echo", {"value": 2}))["value"] == 2
    after = bridge_stats(refusing_stack)
    assert after["contract_older"] == before["contract_older"] + 1
    assert after["contract_mismatch"] == before["contract_mismatch"] + 2
    assert after["contract_missing"] == before["contract_missing"] + 1
