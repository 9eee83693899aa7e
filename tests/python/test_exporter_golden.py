"""Golden .rpc output of the exporter for every construct, and determinism."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from rpcc.cli import export_modules

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "golden"
REPO = HERE.parents[1]

# golden file name -> handler modules exported into it
CASES = {
    "scalars.rpc": ["cases.scalars"],
    "presence.rpc": ["cases.presence"],
    "naming.rpc": ["cases.naming"],
    "structure.rpc": ["cases.structure"],
    "tasks.rpc": ["tasks_handlers"],
    "tasks_debug.rpc": ["tasks_handlers", "debug_handlers"],
}


@pytest.mark.parametrize("golden", sorted(CASES))
def test_golden(golden):
    text = export_modules(CASES[golden])
    path = GOLDEN / golden
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text)
    assert path.exists(), f"{path} missing: run with UPDATE_GOLDEN=1 to create it"
    assert text == path.read_text(), f"export of {CASES[golden]} differs from {path} (UPDATE_GOLDEN=1 rewrites it)"


@pytest.mark.parametrize("golden", ["structure.rpc", "presence.rpc", "tasks_debug.rpc"])
def test_export_is_byte_identical_across_processes(golden, tmp_path):
    """Two separate runs (different hash seeds: set ordering) write byte-identical files."""
    outs = []
    for seed in ("1", "2"):
        out = tmp_path / f"{seed}.rpc"
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": os.pathsep.join(
            [str(HERE), str(REPO / "python" / "examples"), os.environ.get("PYTHONPATH", "")])}
        subprocess.run([sys.executable, "-m", "rpcc", "export", *CASES[golden], "-o", str(out)], check=True,
                       env=env, timeout=120)
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    assert outs[0] == (GOLDEN / golden).read_bytes()


def test_export_writes_only_on_success_and_keeps_identical_file(tmp_path):
    out = tmp_path / "x.rpc"
    env = {**os.environ, "PYTHONPATH": str(REPO / "python" / "examples")}
    cmd = [sys.executable, "-m", "rpcc", "export", "tasks_handlers", "-o", str(out)]
    subprocess.run(cmd, check=True, env=env, timeout=120)
    mtime = out.stat().st_mtime_ns
    subprocess.run(cmd, check=True, env=env, timeout=120)
    assert out.stat().st_mtime_ns == mtime  # unchanged content is not rewritten
    bad = subprocess.run([sys.executable, "-m", "rpcc", "export", "no_such_module_q", "-o", str(tmp_path / "y.rpc")],
                         env=env, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 1 and "no_such_module_q" in bad.stderr
    assert not (tmp_path / "y.rpc").exists()
