"""The contract hash in the exporter's header (rpcc/exporter/contract.py) is the hash rpcc computes for the same
file (rpcc --contract-hash, ir/contract.c): the two implementations of spec/evolution.md's canonical text agree on
every exported golden file, and the hash follows the wire, not the names."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from pydantic import BaseModel
from rpcc import MessageRouter
from rpcc.exporter import export

GOLDEN = Path(__file__).resolve().parent / "golden"
HASH_LINE = re.compile(r"^// Contract hash: (sha256:[0-9a-f]{64})$", re.MULTILINE)


@pytest.mark.parametrize("golden", sorted(p.name for p in GOLDEN.glob("*.rpc")))
def test_header_hash_is_rpccs(golden, rpcc):
    text = (GOLDEN / golden).read_text()
    found = HASH_LINE.findall(text)
    assert len(found) == 1, f"{golden}: no contract hash line in the header"
    printed = subprocess.run([str(rpcc), "--contract-hash", str(GOLDEN / golden)], capture_output=True, text=True,
                             check=True, timeout=60).stdout.strip()
    assert found[0] == printed


class Item(BaseModel):
    count: int


class Thing(BaseModel):
    count: int


class Counted(BaseModel):
    total: int


def _hash_of(model: type[BaseModel]) -> str:
    router = MessageRouter()

    async def handler(conn, params: model) -> model:  # type: ignore[valid-type]
        return params

    handler.__annotations__ = {"params": model, "return": model}
    router.register("items.get", handler)
    found = HASH_LINE.findall(export(router, with_contract_hash=True))
    assert len(found) == 1
    return found[0]


def test_hash_follows_the_wire_not_the_names():
    assert _hash_of(Item) == _hash_of(Thing)  # renamed: the same wire
    assert _hash_of(Item) != _hash_of(Counted)  # another wire name


def test_free_form_method_names_hash_as_rpcc_does(rpcc, tmp_path):
    """A method whose Centrifugo name is not a dotted name is exported with @method("wire"): the canonical text
    names the wire method, in both implementations (the two merged on the same day disagreed before)."""
    router = MessageRouter()

    async def handler(conn, params: Item) -> Item:
        return params

    for method in ("user-profile.get", "chat:send", "getUserProfile", "a.b"):
        router.register(method, handler)
    text = export(router, with_contract_hash=True)
    assert '@method("chat:send")' in text
    found = HASH_LINE.findall(text)
    source = tmp_path / "free.rpc"
    source.write_text(text)
    printed = subprocess.run([str(rpcc), "--contract-hash", str(source)], capture_output=True, text=True,
                             check=True, timeout=60).stdout.strip()
    assert found == [printed]
