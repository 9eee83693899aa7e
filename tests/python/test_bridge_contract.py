"""The bridge's contract check (spec/evolution.md, "Comparing hashes at run time"), in process: the hash it computes
for the handlers it serves, what it does with a client's hash under each policy, over both proxies."""
from __future__ import annotations

import asyncio
import logging
import subprocess
from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict
from rpcc import Bridge, Connection, MessageRouter, discover
from rpcc.asgi import contract_policy_from_env
from rpcc.bridge import (
    CODE_CONTRACT_MISMATCH,
    CODE_CONTRACT_OLDER,
    CONTRACT_FIELD,
    ContractPolicy,
)
from rpcc.exporter import export, handlers_contract_hash

REPO = Path(__file__).resolve().parents[2]
ROUTER = discover(["tasks_handlers", "debug_handlers"])
OWN = handlers_contract_hash(ROUTER.handlers())
OLD = "sha256:" + "0" * 64
OTHER = "sha256:" + "f" * 64


class FakeAPI:
    def __init__(self):
        self.published: list[tuple[str, dict]] = []

    async def publish(self, channel, data):
        self.published.append((channel, data))


def rpc_body(data, method="debug.echo"):
    return {"client": "c1", "transport": "websocket", "protocol": "json", "encoding": "json", "user": "u1",
            "method": method, "data": data}


def pub_body(method="debug.echo", params=None, contract=None):
    data = {"method": method, "params": params if params is not None else {"value": 1}, "correlation_id": "x1",
            "reply_to": "user#u1"}
    if contract is not None:
        data["contract"] = contract
    return {"client": "c1", "transport": "websocket", "protocol": "json", "encoding": "json", "user": "u1",
            "channel": "rpc:requests", "data": data}


def rpc(bridge, contract=None, value=1):
    data = {"value": value}
    if contract is not None:
        data[CONTRACT_FIELD] = contract
    return asyncio.run(bridge.rpc_proxy(rpc_body(data)))


def publish(bridge, contract=None):
    async def go():
        answer, job = await bridge.publish_proxy(pub_body(contract=contract))
        if job is not None:
            await job()
        return answer

    return asyncio.run(go())


def test_the_bridge_hash_is_what_rpcc_prints_for_the_exported_file(tmp_path):
    source = tmp_path / "served.rpc"
    source.write_text(export(ROUTER, check=False))
    printed = subprocess.run([str(REPO / "build" / "rpcc"), "--contract-hash", str(source)], capture_output=True,
                             text=True, check=True).stdout.strip()
    assert Bridge(ROUTER).contract_hash == OWN == printed


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")
    value: int


class Seen(BaseModel):
    contract: str | None


def test_the_hash_is_taken_out_of_the_params_and_given_to_the_handler():
    router = MessageRouter()

    @router.websocket_rpc("strict.seen")
    async def seen(conn: Connection, params: Strict) -> Seen:
        return Seen(contract=conn.contract)

    bridge = Bridge(router, api=FakeAPI())
    body = rpc_body({"value": 1, CONTRACT_FIELD: OTHER}, method="strict.seen")
    # a params model that forbids unknown members never sees the hash; the handler gets it as conn.contract
    assert asyncio.run(bridge.rpc_proxy(body)) == {"result": {"data": {"contract": OTHER}}}
    assert body["data"][CONTRACT_FIELD] == OTHER  # the proxy request is left as it came
    asyncio.run(bridge.rpc_proxy(rpc_body({"value": 1}, method="strict.seen")))
    assert publish_to(bridge, pub_body("strict.seen", contract=OLD)) == {"contract": OLD}
    assert publish_to(bridge, pub_body("strict.seen")) == {"contract": None}


def publish_to(bridge, body):
    async def go():
        bridge.api.published.clear()
        answer, job = await bridge.publish_proxy(body)
        assert answer == {"result": {}}
        await job()
        return bridge.api.published[0][1]["result"]

    return asyncio.run(go())


def test_default_policy_accepts_and_counts_every_kind():
    bridge = Bridge(ROUTER, api=FakeAPI())
    assert "result" in rpc(bridge, OWN)
    assert "result" in rpc(bridge, OTHER)
    assert "result" in rpc(bridge)
    assert publish(bridge, OLD) == {"result": {}}
    assert bridge.stats["contract_match"] == 1
    assert bridge.stats["contract_mismatch"] == 2
    assert bridge.stats["contract_missing"] == 1
    assert bridge.stats["contract_older"] == 0  # OLD is in no "older" list here


@pytest.mark.parametrize("transport", ["rpc", "pubsub"])
def test_refuse_tells_older_from_differs(transport):
    bridge = Bridge(ROUTER, api=FakeAPI(), contract=ContractPolicy(on_mismatch="refuse", older={OLD}))
    call = rpc if transport == "rpc" else publish
    own = call(bridge, OWN)
    older = call(bridge, OLD)
    other = call(bridge, OTHER)
    missing = call(bridge)
    assert "result" in own and "result" in missing  # no hash: accepted by default (SDKs older than hashes)
    assert older["error"]["code"] == CODE_CONTRACT_OLDER == 426
    assert f"the client's contract {OLD} is older than the server's {OWN}" in older["error"]["message"]
    assert other["error"]["code"] == CODE_CONTRACT_MISMATCH == 412
    assert f"the client's contract {OTHER} differs from the server's {OWN}" in other["error"]["message"]
    assert "temporary" not in other["error"]
    stats = bridge.stats
    assert (stats["contract_match"], stats["contract_mismatch"], stats["contract_older"],
            stats["contract_missing"]) == (1, 2, 1, 1)
    if transport == "pubsub":  # refused at the publish: the handler never ran, no reply was published
        assert len(bridge.api.published) == 2


def test_refuse_missing_is_older():
    bridge = Bridge(ROUTER, contract=ContractPolicy(on_missing="refuse"))
    out = rpc(bridge)
    assert out["error"]["code"] == CODE_CONTRACT_OLDER
    assert "sent no contract hash" in out["error"]["message"]
    assert "result" in rpc(bridge, OTHER)  # on_mismatch stays "accept"


def test_compatible_hashes_pass_a_refusing_policy():
    bridge = Bridge(ROUTER, contract=ContractPolicy(on_mismatch="refuse", compatible={OTHER}))
    assert "result" in rpc(bridge, OTHER)
    assert bridge.stats["contract_compatible"] == 1 and bridge.stats["contract_mismatch"] == 0


def test_malformed_hashes_differ_and_never_crash():
    bridge = Bridge(ROUTER, contract=ContractPolicy(on_mismatch="refuse", older={OLD}))
    for bad in (["list"], {"a": 1}, 7, "x" * 10_000, "", "evil\nWARNING forged log line"):
        out = rpc(bridge, bad)
        assert out["error"]["code"] == CODE_CONTRACT_MISMATCH
        assert len(out["error"]["message"]) < 400 and "\n" not in out["error"]["message"]


def test_log_warns_once_per_hash_and_accepts(caplog):
    bridge = Bridge(ROUTER, contract=ContractPolicy(on_mismatch="log"))
    with caplog.at_level(logging.WARNING, logger="rpcc.bridge"):
        for _ in range(3):
            assert "result" in rpc(bridge, OTHER)
        assert "result" in rpc(bridge, OLD)
    warnings = [r.getMessage() for r in caplog.records if "contract" in r.getMessage()]
    assert len(warnings) == 2 and OTHER in warnings[0] and OLD in warnings[1]
    assert bridge.stats["contract_mismatch"] == 4


def test_policy_from_env_and_bad_actions():
    policy = contract_policy_from_env({"RPCC_CONTRACT_MISMATCH": "refuse", "RPCC_CONTRACT_OLDER": f"{OLD}, {OTHER}"})
    assert policy.on_mismatch == "refuse" and policy.on_missing == "accept" and policy.older == {OLD, OTHER}
    with pytest.raises(ValueError, match="on_mismatch must be one of accept, log, refuse"):
        ContractPolicy(on_mismatch="reject")
