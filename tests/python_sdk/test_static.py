"""The generated packages as a user's tools see them: deterministic, marked, mypy --strict and ruff clean,
importable with warnings as errors, pip-installable."""

from __future__ import annotations

import filecmp
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import OUT, REPO, Generated, example_inputs, generate

CASES = [source.stem for source in example_inputs()]
TYPING_DIR = Path(__file__).resolve().parent / "typing"
MARKER = re.compile(r"^# Code generated .* DO NOT EDIT\.$")
EXPECTED_FILES = {"README.md", "__init__.py", "client.py", "models.py", "py.typed", "pyproject.toml", "rpc_client.py"}


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
        "__init__.py", "client.py", "models.py", "py.typed", "rpc_client.py"]
    assert not (g.python_dir / "build").exists(), "the build left files in the generated directory"
    env = {**os.environ, "PYTHONPATH": str(target)}
    proc = run(sys.executable, "-W", "error", "-c",
               "from tasks_client import APIClient, TaskStatsParams; print(APIClient.__module__)", env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "tasks_client.client"
