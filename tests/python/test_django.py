"""The Django app: proxy views through Django's test client, and the generate_centrifugo_clients command."""
from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "django_settings")

import django  # noqa: E402

django.setup()

from django.core.management import CommandError, call_command  # noqa: E402
from django.test import Client, override_settings  # noqa: E402

from conftest import rpcc_binary  # noqa: E402
from rpcc.cli import export_modules  # noqa: E402
from rpcc.contrib.django.bridge import get_bridge, reset_bridge  # noqa: E402

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]


class FakeAPI:
    def __init__(self):
        self.published = []
        self.done = threading.Event()

    async def publish(self, channel, data):
        self.published.append((channel, data))
        self.done.set()


@pytest.fixture
def client():
    reset_bridge()
    yield Client(enforce_csrf_checks=True)  # Centrifugo sends no CSRF token: the views must be exempt
    reset_bridge()


SECRET = "django-test-proxy-secret-0123456789"  # django_settings.RPCC_PROXY_SECRET


def post(client, path, body, secret=SECRET):
    headers = {} if secret is None else {"X-Rpcc-Proxy-Secret": secret}
    return client.post(path, data=json.dumps(body), content_type="application/json", headers=headers)


def rpc(method, data, user="dj-user"):
    return {"client": "c-1", "transport": "websocket", "protocol": "json", "encoding": "json", "user": user,
            "method": method, "data": data}


def test_rpc_view_success(client):
    res = post(client, "/centrifugo/rpc", rpc("debug.echo", {"value": 3}))
    assert res.status_code == 200
    assert res.json() == {"result": {"data": {"user_id": "dj-user", "client_id": "c-1", "transport": "rpc",
                                              "value": 3}}}


@pytest.mark.parametrize("method, data, code", [
    ("tasks.get_stats", {"limit": 0}, 400),
    ("tasks.missing", {}, 404),
    ("tasks.update", {"id": 5555555}, 1404),
    ("debug.fail", {"crash": True}, 500),
])
def test_rpc_view_errors(client, method, data, code):
    res = post(client, "/centrifugo/rpc", rpc(method, data))
    assert res.status_code == 200 and res.json()["error"]["code"] == code
    assert "hunter2" not in res.content.decode()


def test_rpc_view_rejects_get_and_garbage(client):
    assert client.get("/centrifugo/rpc").status_code == 405
    assert client.post("/centrifugo/rpc", data="nope", content_type="application/json",
                       headers={"X-Rpcc-Proxy-Secret": SECRET}).status_code == 400


@pytest.mark.parametrize("path", ["/centrifugo/rpc", "/centrifugo/publish"])
def test_oversize_body_is_413_and_runs_nothing(client, monkeypatch, path):
    with override_settings(RPCC_MAX_BODY=1000):
        reset_bridge()
        spy = Spy(monkeypatch)
        res = post(client, path, rpc("debug.echo", {"value": "x" * 2000}))
        assert res.status_code == 413 and res.json() == {"error": "request body larger than 1000 bytes"}
        assert spy.ran == []
        res = post(client, "/centrifugo/rpc", rpc("debug.echo", {"value": "x" * 100}))
        assert res.status_code == 200 and spy.ran == [("debug.echo", "dj-user")]


def test_django_limits_from_settings():
    from rpcc.bridge import Limits
    from rpcc.contrib.django.bridge import limits_from_settings

    with override_settings(RPCC_MAX_MESSAGE_SIZE=10000, RPCC_MAX_CONCURRENCY=3):
        assert limits_from_settings() == Limits(max_body=40000, max_concurrency=3, max_reply=10000 - 512)


# -- authentication -------------------------------------------------------------------------------------------------

class Spy:
    def __init__(self, monkeypatch):
        self.ran = []
        bridge = get_bridge()
        real = bridge.call

        async def call(method, params, conn):
            self.ran.append((method, conn.user_id))
            return await real(method, params, conn)

        monkeypatch.setattr(bridge, "call", call)


@pytest.mark.parametrize("secret", [None, "", "wrong-secret-wrong-secret-wrong", SECRET[:-1], SECRET + "x"])
@pytest.mark.parametrize("path, data", [
    ("/centrifugo/rpc", rpc("tasks.create", {"title": "forged"}, user="victim-42")),
    ("/centrifugo/publish", {"client": "c", "user": "victim-42", "channel": "rpc:requests",
                             "data": {"method": "tasks.create", "params": {"title": "forged"}, "correlation_id": "k",
                                      "reply_to": "user#victim-42"}}),
])
def test_forged_requests_are_401_and_run_nothing(client, monkeypatch, caplog, secret, path, data):
    api = FakeAPI()
    get_bridge().api = api
    spy = Spy(monkeypatch)
    res = post(client, path, data, secret=secret)
    assert res.status_code == 401 and res.json() == {"error": "unauthorized"}
    assert spy.ran == [] and api.published == []
    assert SECRET not in caplog.text and SECRET not in res.content.decode()


def test_right_secret_with_another_users_reply_to_runs_nothing(client, monkeypatch):
    api = FakeAPI()
    get_bridge().api = api
    spy = Spy(monkeypatch)
    res = post(client, "/centrifugo/publish", {"client": "c", "user": "attacker", "channel": "rpc:requests",
                                               "data": {"method": "debug.echo", "params": {}, "correlation_id": "k",
                                                        "reply_to": "user#victim-42"}})
    assert res.status_code == 200 and res.json()["error"]["code"] == 403
    assert spy.ran == [] and api.published == []


def django_setup(tmp_path, extra_settings: str) -> subprocess.CompletedProcess:
    """django.setup() in a fresh process with django_settings minus the secret, plus ``extra_settings``."""
    (tmp_path / "nosecret_settings.py").write_text(
        "from django_settings import *  # noqa\ndel RPCC_PROXY_SECRET\n" + extra_settings)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "nosecret_settings",
           "PYTHONPATH": os.pathsep.join([str(tmp_path), str(HERE), str(REPO / "python" / "examples")])}
    return subprocess.run([sys.executable, "-c", "import django; django.setup(); print('started')"], env=env,
                          capture_output=True, text=True, timeout=120)


def test_django_refuses_to_start_without_a_secret(tmp_path):
    res = django_setup(tmp_path, "")
    assert res.returncode != 0 and "started" not in res.stdout
    assert "ImproperlyConfigured" in res.stderr and "RPCC_PROXY_SECRET" in res.stderr


def test_django_insecure_flag_starts_and_warns(tmp_path):
    res = django_setup(tmp_path, "RPCC_INSECURE_NO_AUTH = True\n")
    assert res.returncode == 0 and "started" in res.stdout
    assert "authentication is OFF" in res.stderr


def test_publish_view_fast_ack_then_reply(client):
    api = FakeAPI()
    get_bridge().api = api
    body = {"client": "c-1", "user": "dj-user", "channel": "rpc:requests",
            "data": {"method": "debug.echo", "params": {"value": "x"}, "correlation_id": "k1",
                     "reply_to": "user#dj-user"}}
    res = post(client, "/centrifugo/publish", body)
    assert res.status_code == 200 and res.json() == {"result": {}}
    assert api.done.wait(30)
    assert api.published == [("user#dj-user", {"correlation_id": "k1", "result": {
        "user_id": "dj-user", "client_id": "c-1", "transport": "pubsub", "value": "x"}})]


def test_publish_view_refuses_spoofed_reply_to(client):
    api = FakeAPI()
    get_bridge().api = api
    body = {"client": "c-1", "user": "dj-user", "channel": "rpc:requests",
            "data": {"method": "debug.echo", "params": {}, "correlation_id": "k2", "reply_to": "user#victim"}}
    res = post(client, "/centrifugo/publish", body)
    assert res.json()["error"]["code"] == 403 and not api.published


# -- management command -------------------------------------------------------------------------------------------

def test_command_exports_and_runs_rpcc(tmp_path, monkeypatch):
    monkeypatch.setenv("RPCC", str(rpcc_binary()))
    out, rpc_file = tmp_path / "opensdk", tmp_path / "api.rpc"
    call_command("generate_centrifugo_clients", "--output", str(out), "--all", "--rpc-file", str(rpc_file))
    text = rpc_file.read_text()
    assert "rpc tasks.get_stats(TaskStatsParams) -> TaskStatsResult;" in text
    body = export_modules(["tasks_handlers", "debug_handlers"]).split("\n", 2)[2]
    assert text.split("\n", 2)[2] == body  # same declarations as `python -m rpcc export`


def test_command_needs_a_selection():
    with pytest.raises(CommandError, match="--all or one or more --module"):
        call_command("generate_centrifugo_clients", "--output", "x")


def fake_rpcc(tmp_path, code, message) -> str:
    script = tmp_path / "rpcc"
    script.write_text(f"#!/bin/sh\necho '{message}' >&2\nexit {code}\n")
    script.chmod(0o755)
    return str(script)


def manage(*args, env_extra=None):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "django_settings",
           "PYTHONPATH": os.pathsep.join([str(HERE), str(REPO / "python" / "examples")]), **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "django", "generate_centrifugo_clients", *args], env=env,
                          capture_output=True, text=True, timeout=300)


def test_command_rpcc_failure_is_nonzero_exit_with_message(tmp_path):
    rpcc = fake_rpcc(tmp_path, 1, "api.rpc:3:5: error: something is wrong")
    res = manage("--output", str(tmp_path / "out"), "--all", env_extra={"RPCC": rpcc})
    assert res.returncode != 0
    assert "rpcc failed" in res.stderr and "api.rpc:3:5: error: something is wrong" in res.stderr


def test_command_export_failure_is_nonzero_exit_with_message(tmp_path):
    rpcc = fake_rpcc(tmp_path, 0, "never reached")
    res = manage("--output", str(tmp_path / "out"), "--module", "cases.bad_bytes", env_extra={"RPCC": rpcc})
    assert res.returncode != 0
    assert "model Upload, field payload" in res.stderr
    assert not (tmp_path / "out").exists()


def test_command_missing_rpcc_is_an_error(tmp_path):
    res = manage("--output", str(tmp_path / "out"), "--all", env_extra={"RPCC": str(tmp_path / "absent")})
    assert res.returncode != 0 and "not an executable" in res.stderr


def test_command_success_in_a_subprocess(tmp_path):
    res = manage("--output", str(tmp_path / "out"), "--all", env_extra={"RPCC": str(rpcc_binary())})
    assert res.returncode == 0, res.stderr
    assert "generated clients for 10 methods" in res.stdout


def test_metrics_view_is_404_while_metrics_are_off(client):
    assert client.get("/centrifugo/metrics").status_code == 404


def test_metrics_view_counts_calls_validation_failures_and_spoofs(client):
    """RPCC_METRICS = True: the bridge counts what the views served, and the metrics view exposes it."""
    from prometheus_client.parser import text_string_to_metric_families

    def scrape() -> dict:
        res = client.get("/centrifugo/metrics")
        assert res.status_code == 200 and res["Content-Type"].startswith("text/plain")
        return {(s.name, tuple(sorted(s.labels.items()))): s.value
                for family in text_string_to_metric_families(res.content.decode()) for s in family.samples}

    with override_settings(RPCC_METRICS=True):
        reset_bridge()
        before = scrape()
        for n in range(3):
            assert "result" in post(client, "/centrifugo/rpc", rpc("debug.echo", {"value": n})).json()
        assert post(client, "/centrifugo/rpc", rpc("debug.sleep", {"seconds": -1})).json()["error"]["code"] == 400
        assert post(client, "/centrifugo/rpc", rpc("debug.echo", {}), secret=None).status_code == 401
        after = scrape()
    changed = {key: value - before.get(key, 0.0) for key, value in after.items()
               if key[0].startswith("rpcc_bridge_") and not key[0].endswith(("_sum", "_bucket", "_created"))
               and value != before.get(key, 0.0)}
    assert changed == {
        ("rpcc_bridge_calls_total", (("method", "debug.echo"), ("status", "ok"), ("transport", "rpc"))): 3.0,
        ("rpcc_bridge_calls_total", (("method", "debug.sleep"), ("status", "400"), ("transport", "rpc"))): 1.0,
        ("rpcc_bridge_call_duration_seconds_count", (("method", "debug.echo"), ("transport", "rpc"))): 3.0,
        ("rpcc_bridge_call_duration_seconds_count", (("method", "debug.sleep"), ("transport", "rpc"))): 1.0,
        ("rpcc_bridge_validation_failures_total", (("method", "debug.sleep"), ("transport", "rpc"))): 1.0,
        ("rpcc_bridge_spoof_refusals_total", (("reason", "proxy_secret"), ("transport", "rpc"))): 1.0,
    }
