"""Static typing of the package, through mypy --strict: decorated handlers keep their own type, a handler that is not
`async def` is refused at the decorator, and the modules of the registry and the exporter are strict-clean."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
PACKAGE = REPO / "python"
# The registry, the exporter and typed channels (the bridge's modules are checked with them only as imports).
STRICT_MODULES = ["rpcc/__init__.py", "rpcc/router.py", "rpcc/discovery.py", "rpcc/types.py", "rpcc/exporter",
                  "rpcc/channels.py"]


def mypy(cwd: Path, *paths: str, cache: Path) -> subprocess.CompletedProcess[str]:
    """mypy --strict on ``paths``; rpcc is read from python/ (the editable install's import hook hides it from
    mypy), and only the files named are reported on."""
    env = {**os.environ, "MYPYPATH": str(PACKAGE)}
    return subprocess.run([sys.executable, "-m", "mypy", "--strict", "--follow-imports=silent", "--cache-dir",
                           str(cache), *paths], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def mypy_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache for the module's runs: pydantic is analysed once."""
    return tmp_path_factory.mktemp("mypy-cache")


@pytest.fixture(scope="module")
def typed_handlers(mypy_cache: Path) -> list[str]:
    res = mypy(HERE / "typecheck", "typed_handlers.py", cache=mypy_cache)
    assert res.returncode == 0, res.stdout + res.stderr
    return [line.split("Revealed type is ", 1)[1].strip('"') for line in res.stdout.splitlines()
            if "Revealed type is" in line]


def test_decorated_handler_keeps_its_signature(typed_handlers):
    assert typed_handlers[0] == ("def (conn: rpcc.router.Connection, params: typed_handlers.Params) -> "
                                 "typing.Coroutine[Any, Any, typed_handlers.Result]")


def test_router_method_decorator_keeps_its_signature(typed_handlers):
    assert typed_handlers[1] == "def (conn: rpcc.router.Connection) -> typing.Coroutine[Any, Any, typed_handlers.Result]"


def test_awaiting_a_decorated_handler_gives_its_result_type(typed_handlers):
    assert typed_handlers[2] == "typed_handlers.Result"


def test_a_handler_that_is_not_async_is_a_type_error(mypy_cache):
    res = mypy(HERE / "typecheck", "sync_handler.py", cache=mypy_cache)
    assert res.returncode == 1, res.stdout + res.stderr
    assert 'sync_handler.py:14: error: Value of type variable "HandlerFunc"' in res.stdout, res.stdout


def test_registry_and_exporter_are_strict_clean(mypy_cache):
    res = mypy(PACKAGE, *STRICT_MODULES, cache=mypy_cache)
    assert res.returncode == 0, res.stdout + res.stderr


def test_channels_are_typed_by_their_publication(mypy_cache):
    res = mypy(HERE / "typecheck", "typed_channels.py", cache=mypy_cache)
    revealed = [line.split("Revealed type is ", 1)[1].strip('"') for line in res.stdout.splitlines()
                if "Revealed type is" in line]
    assert revealed == ["rpcc.channels.Channel[typed_channels.Event]",
                        "def (conn: rpcc.router.Connection, room_id: int) -> typing.Coroutine[Any, Any, bool]",
                        "int | None"], res.stdout
    errors = [line for line in res.stdout.splitlines() if ": error:" in line]
    assert len(errors) == 1 and "typed_channels.py:36: error: Argument 1 to \"publish_sync\" of \"Channel\"" \
        in errors[0], res.stdout
