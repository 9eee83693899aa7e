"""A Django project written as the old Centrifugo client generator's documentation shows (issue 17), end to end.

tests/integration/django_project/ registers its handlers by importing them in ``AppConfig.ready()``; this test
copies it to build/django-sample/, runs ``manage.py generate_centrifugo_clients --output ./opensdk --all`` as the
old docs do, serves it with Django's own server (rpcc.contrib.django is the bridge) behind a real Centrifugo v6
configured by ``python -m rpcc config`` (tests/fixture), and runs the old Python, TypeScript and Go usage snippets
(tests/integration/django_project/clients/) against it: one test per language.

Run from the repository root: ``make check-django-sample``.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest

from tests.fixture.stack import _stop, _wait_http, centrifugo_binary, free_port, generate_config, mint_token

REPO = Path(__file__).resolve().parents[2]
PROJECT = Path(__file__).resolve().parent / "django_project"
WORK = REPO / "build" / "django-sample"
RPCC = os.environ.get("RPCC") or str(REPO / "build" / "rpcc")
TS_MODULES = REPO / "tests" / "typescript" / "node_modules"
TSC = TS_MODULES / ".bin" / "tsc"
GO_OFFLINE = {"GOFLAGS": "-mod=mod", "GOPROXY": "off", "GOTOOLCHAIN": "local"}


def run(*argv: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 300) -> str:
    res = subprocess.run(list(argv), cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True,
                         timeout=timeout, check=False)
    assert res.returncode == 0, f"{' '.join(argv)} exited {res.returncode}\n{res.stdout}\n{res.stderr}"
    return res.stdout


def wait_listening(port: int, proc: subprocess.Popen, log: Path, deadline: float) -> None:
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"Django exited with {proc.returncode}:\n{log.read_text(errors='replace')}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"Django did not listen on {port}:\n{log.read_text(errors='replace')}")


class Sample:
    def __init__(self, env: dict[str, str]) -> None:
        self.env = env


@pytest.fixture(scope="module")
def sample() -> Iterator[Sample]:
    shutil.rmtree(WORK, ignore_errors=True)
    shutil.copytree(PROJECT, WORK, ignore=shutil.ignore_patterns("__pycache__"))
    centrifugo_port, django_port = free_port(), free_port()
    cfg, bridge_env = generate_config(sys.executable, WORK, centrifugo_port=centrifugo_port,
                                      bridge_url=f"http://127.0.0.1:{django_port}")
    env = {**bridge_env, "RPCC": RPCC, "PYTHONDONTWRITEBYTECODE": "1"}

    # The old documented step, unchanged.
    out = run(sys.executable, "manage.py", "generate_centrifugo_clients", "--output", "./opensdk", "--all",
              cwd=WORK, env=env)
    assert "generated clients for 2 methods in ./opensdk" in out

    processes: list[subprocess.Popen] = []
    try:
        django_log, centrifugo_log = WORK / "django.log", WORK / "centrifugo.log"
        with open(django_log, "wb") as log:
            processes.append(subprocess.Popen(
                [sys.executable, "manage.py", "runserver", f"127.0.0.1:{django_port}", "--noreload"], cwd=WORK,
                env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
        with open(centrifugo_log, "wb") as log:
            processes.append(subprocess.Popen([str(centrifugo_binary()), "-c", str(WORK / "config.json")], cwd=WORK,
                                              stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
        deadline = time.monotonic() + 60
        wait_listening(django_port, processes[0], django_log, deadline)

        class Logs:  # what _wait_http prints when Centrifugo does not come up
            @staticmethod
            def logs() -> str:
                return centrifugo_log.read_text(errors="replace")

        _wait_http(f"http://127.0.0.1:{centrifugo_port}/health", processes[1], "centrifugo", deadline,
                   Logs())  # type: ignore[arg-type]
        yield Sample({
            "CENTRIFUGO_URL": f"ws://127.0.0.1:{centrifugo_port}/connection/websocket",
            "SAMPLE_TOKEN": mint_token(cfg["client"]["token"]["hmac_secret_key"], "user-123"),
        })
    finally:
        for proc in reversed(processes):
            _stop(proc)


def expect(out: str, language: str) -> None:
    # The handler answers total = 3 * limit (10 by default) and the caller Centrifugo authenticated.
    assert f"{language} stats: total=30 completed=10 caller=user-123" in out, out
    assert f"{language} profile: User 123" in out, out


def test_old_python_snippet(sample: Sample) -> None:
    # Run as a module of the project, from its root (where ./opensdk is), as the project's own code runs.
    expect(run(sys.executable, "-m", "clients.old_python", cwd=WORK, env=sample.env, timeout=60), "python")


def test_old_typescript_snippet(sample: Sample) -> None:
    # The generated package as a dependency of the app, "api-client", without npm install (which the TypeScript
    # live test proves and which costs minutes offline): the packages it needs are tests/typescript's, linked.
    sdk, app = WORK / "opensdk" / "typescript", WORK / "ts-app"
    (sdk / "node_modules").symlink_to(TS_MODULES)
    run(str(TSC), "-p", "tsconfig.json", cwd=sdk)
    (app / "node_modules").mkdir(parents=True)
    for entry in TS_MODULES.iterdir():
        if not entry.name.startswith("."):
            (app / "node_modules" / entry.name).symlink_to(entry)
    (app / "node_modules" / "api-client").symlink_to(sdk)
    shutil.copy(WORK / "clients" / "old_typescript.ts", app / "main.ts")
    (app / "package.json").write_text('{"name": "sample-app", "private": true, "type": "module", '
                                      '"dependencies": {"api-client": "file:../opensdk/typescript"}}\n')
    tsconfig = (sdk / "tsconfig.json").read_text()
    (app / "tsconfig.json").write_text(tsconfig.replace('"include": ["*.ts"]', '"include": ["main.ts"]'))
    run(str(TSC), "-p", "tsconfig.json", cwd=app)
    expect(run("node", "dist/main.js", cwd=app, env=sample.env, timeout=60), "typescript")


def test_old_go_snippet(sample: Sample) -> None:
    app = WORK / "clients" / "go"
    shutil.copy(WORK / "opensdk" / "go" / "go.sum", app / "go.sum")
    expect(run("go", "run", ".", cwd=app, env={**sample.env, **GO_OFFLINE}, timeout=300), "go")
