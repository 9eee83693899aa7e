"""Pydantic -> .rpc -> `rpcc --check`: every golden file and a fresh export must be accepted by the compiler."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import rpcc_check
from rpcc.exporter import export_modules

GOLDEN = Path(__file__).resolve().parent / "golden"


@pytest.mark.parametrize("golden", sorted(p.name for p in GOLDEN.glob("*.rpc")))
def test_rpcc_accepts_golden(golden):
    res = rpcc_check(GOLDEN / golden)
    assert res.returncode == 0, f"rpcc --check {golden} failed:\n{res.stdout}{res.stderr}"
    assert "error" not in res.stderr


def test_rpcc_accepts_fresh_export_of_the_example(tmp_path):
    path = tmp_path / "tasks.rpc"
    path.write_text(export_modules(["tasks_handlers", "debug_handlers"]))
    res = rpcc_check(path)
    assert res.returncode == 0, f"rpcc --check failed:\n{res.stdout}{res.stderr}"


def test_rpcc_check_is_not_vacuous(tmp_path):
    """Canary: the round trip means something only if `rpcc --check` rejects a broken file."""
    path = tmp_path / "broken.rpc"
    path.write_text("model X {\n    a: NoSuchType;\n}\n")
    res = rpcc_check(path)
    assert res.returncode == 1, "rpcc --check accepted a file with an unknown type: is build/rpcc a stub?"
    assert "broken.rpc:2:" in res.stdout + res.stderr
