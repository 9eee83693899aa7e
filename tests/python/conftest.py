from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.fixture.pytest_plugin import centrifugo_stack  # noqa: F401  (session fixture)

REPO = Path(__file__).resolve().parents[2]


def rpcc_binary() -> Path:
    """The compiler: $RPCC or build/rpcc. Missing is a failure, never a skip."""
    path = Path(os.environ.get("RPCC") or REPO / "build" / "rpcc")
    if not path.is_file() or not os.access(path, os.X_OK):
        pytest.fail(f"rpcc compiler not found at {path}: run `make build/rpcc` (or set RPCC=/path/to/rpcc); "
                    "the round-trip tests need the real compiler", pytrace=False)
    return path


def rpcc_check(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(rpcc_binary()), "--check", str(path)], capture_output=True, text=True, timeout=60)


@pytest.fixture
def rpcc() -> Path:
    return rpcc_binary()
