"""Fixtures of the Python SDK tests: the compiler, and SDK packages generated into build/python-sdk/."""

from __future__ import annotations

import asyncio
import inspect
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CASES_DIR = Path(__file__).resolve().parent / "cases"
OUT = Path(os.environ.get("PY_SDK_OUT") or REPO / "build" / "python-sdk")


def rpcc_binary() -> Path:
    """$RPCC or build/rpcc; missing is a failure, never a skip."""
    path = Path(os.environ.get("RPCC") or REPO / "build" / "rpcc")
    if not path.is_file() or not os.access(path, os.X_OK):
        pytest.fail(f"rpcc not found at {path}: run `make build/rpcc` (or set RPCC)", pytrace=False)
    return path


def example_inputs() -> list[Path]:
    """Every spec example and every edge case of tests/python_sdk/cases."""
    return sorted((REPO / "spec" / "examples").glob("*.rpc")) + sorted(CASES_DIR.glob("*.rpc"))


@dataclass
class Generated:
    source: Path
    output: Path  # the rpcc output directory (holds python/)
    package: str  # import name, <stem>_client
    site: Path  # directory to put on sys.path: holds <package>/ (a copy of python/)

    @property
    def python_dir(self) -> Path:
        return self.output / "python"


def generate(source: Path, root: Path, site: Path) -> Generated:
    output = root / source.stem
    if output.exists():
        shutil.rmtree(output)
    proc = subprocess.run([str(rpcc_binary()), str(source), "-o", str(output), "--lang", "python"],
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, f"rpcc failed on {source}:\n{proc.stderr}"
    package = f"{source.stem.lower().replace('-', '_')}_client"
    target = site / package
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(output / "python", target)
    return Generated(source, output, package, site)


@pytest.fixture(scope="session")
def generated() -> dict[str, Generated]:
    """Every example and edge case compiled, importable from OUT/static/site."""
    root = OUT / "static"
    site = root / "site"
    site.mkdir(parents=True, exist_ok=True)
    result = {source.stem: generate(source, root / "gen", site) for source in example_inputs()}
    if str(site) not in sys.path:
        sys.path.insert(0, str(site))
    return result


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Runs `async def` tests in a fresh event loop (no plugin needed)."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    arguments = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
    asyncio.run(pyfuncitem.obj(**arguments))
    return True
