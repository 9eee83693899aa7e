"""generate_centrifugo_clients with the options of the command it replaces (issue 17): per-language flags, the Go
options passed on to rpcc, and verbosity. Each run is a fresh `python -m django` process."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import rpcc_binary

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]


def recording_rpcc(tmp_path: Path) -> tuple[str, Path]:
    """A stand-in for rpcc that writes its arguments, one a line, to a file."""
    script, log = tmp_path / "rpcc", tmp_path / "argv.txt"
    script.write_text(f"#!/bin/sh\nprintf '%s\\n' \"$@\" > '{log}'\n")
    script.chmod(0o755)
    return str(script), log


def django(*args: str, rpcc: str, code: str | None = None,
           settings: str = "django_settings") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings, "RPCC": rpcc,
           "PYTHONPATH": os.pathsep.join([str(HERE), str(REPO / "python" / "examples")])}
    argv = [sys.executable, "-c", code] if code else [sys.executable, "-m", "django", "generate_centrifugo_clients",
                                                       *args]
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300, check=False)


def test_per_language_flags_choose_the_targets(tmp_path):
    rpcc, log = recording_rpcc(tmp_path)
    res = django("--output", str(tmp_path / "out"), "--all", "--python", "--go", rpcc=rpcc)
    assert res.returncode == 0, res.stderr
    argv = log.read_text().splitlines()
    assert argv[argv.index("--lang") + 1] == "python,go"


def test_go_options_are_passed_to_rpcc(tmp_path):
    rpcc, log = recording_rpcc(tmp_path)
    res = django("--output", str(tmp_path / "out"), "--all", "--go", "--go-module", "example.com/me/api",
                 "--go-websocket", "nhooyr", rpcc=rpcc)
    assert res.returncode == 0, res.stderr
    argv = log.read_text().splitlines()
    assert argv[argv.index("--go-module") + 1] == "example.com/me/api"
    assert "--go-websocket=nhooyr" in argv


def test_license_is_passed_to_rpcc(tmp_path):
    res = django("--output", str(tmp_path / "out"), "--all", "--python", "--license", "Apache-2.0 OR MIT",
                 rpcc=str(rpcc_binary()))
    assert res.returncode == 0, res.stderr
    assert 'license = "Apache-2.0 OR MIT"' in (tmp_path / "out" / "python" / "pyproject.toml").read_text()


def test_lang_and_a_language_flag_together_are_an_error(tmp_path):
    rpcc, _ = recording_rpcc(tmp_path)
    res = django("--output", str(tmp_path / "out"), "--all", "--lang", "go", "--python", rpcc=rpcc)
    assert res.returncode != 0 and "either --lang or --python/--typescript/--go" in res.stderr


def test_verbosity_zero_prints_nothing(tmp_path):
    res = django("--output", str(tmp_path / "out"), "--all", "-v", "0", rpcc=str(rpcc_binary()))
    assert res.returncode == 0, res.stderr
    assert res.stdout == ""
    assert (tmp_path / "out" / "python").is_dir()


def test_call_command_with_verbose_false(tmp_path):
    code = ("import django; django.setup()\n"
            "from django.core.management import call_command\n"
            f"call_command('generate_centrifugo_clients', output={str(tmp_path / 'out')!r}, all=True, "
            "python=True, verbose=False)\n")
    res = django(rpcc=str(rpcc_binary()), code=code)
    assert res.returncode == 0, res.stderr
    assert res.stdout == ""
    assert (tmp_path / "out" / "python").is_dir() and not (tmp_path / "out" / "go").exists()


def test_all_finds_handlers_registered_by_an_app_config_ready(tmp_path):
    rpc_file = tmp_path / "api.rpc"
    res = django("--output", str(tmp_path / "out"), "--all", "--python", "--rpc-file", str(rpc_file),
                 rpcc=str(rpcc_binary()), settings="django_settings_ready")
    assert res.returncode == 0, res.stderr
    assert "generated clients for 1 methods" in res.stdout
    assert "rpc ready.ping() -> Pong;" in rpc_file.read_text()
