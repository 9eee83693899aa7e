"""The generated packages as a user's tools see them: deterministic, marked, mypy --strict and ruff clean,
importable with warnings as errors, pip-installable."""

from __future__ import annotations

import filecmp
import importlib
import inspect
import os
import re
import subprocess
import sys
import tomllib
import typing
from pathlib import Path

import pytest
from conftest import OUT, REPO, Generated, example_inputs, generate

CASES = [source.stem for source in example_inputs()]
TYPING_DIR = Path(__file__).resolve().parent / "typing"
MARKER = re.compile(r"^# Code generated .* DO NOT EDIT\.$")
EXPECTED_FILES = {"README.md", "__init__.py", "client.py", "models.py", "py.typed", "pyproject.toml", "requirements.txt",
                  "rpc_client.py", "rpc_telemetry.py"}


def run(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), capture_output=True, text=True, timeout=300, env=env, cwd=cwd, check=False)


@pytest.mark.parametrize("case", CASES)
def test_output_is_deterministic(case: str, generated: dict[str, Generated], tmp_path: Path) -> None:
    first = generated[case]
    second = generate(first.source, tmp_path / "again", tmp_path / "site")
    names = sorted(p.name for p in first.python_dir.iterdir())
    assert set(names) == EXPECTED_FILES
    _, mismatch, errors = filecmp.cmpfiles(first.python_dir, second.python_dir, names, shallow=False)
    assert (mismatch, errors) == ([], [])
    assert str(REPO) not in "".join((first.python_dir / n).read_text() for n in names), "absolute path in output"


@pytest.mark.parametrize("case", CASES)
def test_sources_carry_the_generated_marker(case: str, generated: dict[str, Generated]) -> None:
    for path in sorted(generated[case].python_dir.glob("*.py")) + [generated[case].python_dir / "pyproject.toml"]:
        first_line = path.read_text(encoding="utf-8").splitlines()[0]
        assert MARKER.match(first_line), f"{path.name}: {first_line!r}"


@pytest.mark.parametrize("case", CASES)
def test_runtime_is_the_embedded_template(case: str, generated: dict[str, Generated]) -> None:
    """The SDK's marker line, then the template (one policy for every language's runtime copy)."""
    template = REPO / "runtime-templates" / "python" / "rpc_client.py"
    marker, _, rest = (generated[case].python_dir / "rpc_client.py").read_bytes().partition(b"\n")
    assert MARKER.match(marker.decode())
    assert rest == template.read_bytes()


def test_mypy_strict(generated: dict[str, Generated]) -> None:
    """One mypy run over every generated package and the typed usage snippets in typing/."""
    site = next(iter(generated.values())).site
    packages = [str(site / g.package) for g in generated.values()]
    usage = [str(p) for p in sorted(TYPING_DIR.glob("*.py"))]
    env = {**os.environ, "MYPYPATH": str(site)}
    proc = run(sys.executable, "-m", "mypy", "--strict", "--python-version", "3.10", "--no-incremental",
               "--cache-dir", str(OUT / "mypy-cache"), *packages, *usage, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("case", CASES)
def test_ruff_check(case: str, generated: dict[str, Generated]) -> None:
    """ruff's default rules with the package's own settings (pyproject.toml: Python 3.10)."""
    package = generated[case].site / generated[case].package
    proc = run(sys.executable, "-m", "ruff", "check", "--no-cache", str(package), cwd=package)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("case", CASES)
def test_imports_without_warnings(case: str, generated: dict[str, Generated]) -> None:
    g = generated[case]
    code = (f"import {g.package} as p\n"
            "assert issubclass(p.APIClient, p.CentrifugoRPCClient)\n"
            "for name in p.__all__: getattr(p, name)\n")
    env = {**os.environ, "PYTHONPATH": str(g.site)}
    proc = run(sys.executable, "-W", "error", "-c", code, env=env)
    assert proc.returncode == 0, proc.stderr


def test_pip_install_and_import(generated: dict[str, Generated], tmp_path: Path) -> None:
    """`pip install ./python` gives an importable, typed package (built without network by hatchling)."""
    g = generated["tasks"]
    target = tmp_path / "installed"
    proc = run(sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps",
               "--no-build-isolation", "--target", str(target), str(g.python_dir))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    installed = target / "tasks_client"
    assert sorted(p.name for p in installed.iterdir() if p.name != "__pycache__") == [
        "__init__.py", "client.py", "models.py", "py.typed", "rpc_client.py", "rpc_telemetry.py"]
    assert not (g.python_dir / "build").exists(), "the build left files in the generated directory"
    env = {**os.environ, "PYTHONPATH": str(target)}
    proc = run(sys.executable, "-W", "error", "-c",
               "from tasks_client import APIClient, TaskStatsParams; print(APIClient.__module__)", env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "tasks_client.client"


def test_opentelemetry_is_loaded_only_by_rpc_telemetry(generated: dict[str, Generated]) -> None:
    """Telemetry costs nothing unless used: the package and a call-ready client import no OpenTelemetry module;
    importing rpc_telemetry does (so the check can fail)."""
    g = generated["tasks"]
    env = {**os.environ, "PYTHONPATH": str(g.site)}
    check = ("import sys; import tasks_client; from tasks_client import APIClient; APIClient('ws://127.0.0.1:1/x'); "
             "print(sorted({m.split('.')[0] for m in sys.modules if m.startswith('opentelemetry')}))")
    proc = run(sys.executable, "-c", check, env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
    proc = run(sys.executable, "-c", "import tasks_client.rpc_telemetry; " + check, env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "['opentelemetry']"


@pytest.mark.parametrize("case", CASES)
def test_requirements_list_the_pyproject_dependencies(case: str, generated: dict[str, Generated]) -> None:
    """`pip install -r requirements.txt`, the old generator's install step, installs what pyproject.toml needs."""
    python_dir = generated[case].python_dir
    requirements = [line for line in (python_dir / "requirements.txt").read_text().splitlines()
                    if line and not line.startswith("#")]
    pyproject = tomllib.loads((python_dir / "pyproject.toml").read_text())
    assert requirements == pyproject["project"]["dependencies"]


def test_apiclient_url_overload_matches_the_base_client(generated: dict[str, Generated]) -> None:
    """APIClient's URL overload repeats CentrifugoRPCClient.__init__ (names, kinds, annotations, defaulted or not):
    fails when the runtime's constructor changes and backends/python.c was not updated."""
    sdk = importlib.import_module(generated["tasks"].package)
    overloads = typing.get_overloads(sdk.APIClient.__init__)
    assert len(overloads) == 2
    url_form = inspect.signature(overloads[1])
    base = inspect.signature(sdk.CentrifugoRPCClient.__init__)

    def shape(signature: inspect.Signature) -> list[tuple[str, object, object, bool]]:
        return [(p.name, p.kind, p.annotation, p.default is inspect.Parameter.empty)
                for p in signature.parameters.values()]

    assert shape(url_form) == shape(base)


def test_apiclient_wraps_a_base_client(generated: dict[str, Generated]) -> None:
    """The old generator's form `APIClient(rpc)`: a typed view of rpc's own state (one connection)."""
    sdk = importlib.import_module(generated["tasks"].package)
    rpc = sdk.CentrifugoRPCClient("ws://127.0.0.1:1/connection/websocket", "token", "user-123", timeout=3)
    api = sdk.APIClient(rpc)
    assert isinstance(api, sdk.APIClient) and api.__dict__ is rpc.__dict__
    assert api._url == "ws://127.0.0.1:1/connection/websocket" and api._timeout == 3
    wrapped_twice = sdk.APIClient(api)
    assert wrapped_twice.__dict__ is rpc.__dict__
    with pytest.raises(TypeError, match=r"takes the client alone"):
        sdk.APIClient(rpc, "token")
    with pytest.raises(TypeError, match=r"APIClient\(url, token, user_id\).*APIClient\(rpc\); not object"):
        sdk.APIClient(object())  # e.g. a client of another generated package
    url_form = sdk.APIClient("ws://127.0.0.1:1/connection/websocket", "token", "user-123", transport="pubsub")
    assert url_form._transport == "pubsub" and url_form.__dict__ is not rpc.__dict__
