"""The bridge through a real Centrifugo v6, driven by the official centrifuge-python SDK as a raw client."""
from __future__ import annotations

import asyncio
import json
import secrets
import subprocess
from pathlib import Path

import pytest
from centrifuge import Client, PublicationContext, ReplyError, SubscriptionEventHandler

from tests.fixture import REQUEST_CHANNEL, centrifugo_binary

REPO = Path(__file__).resolve().parents[2]
TIMEOUT = 15.0  # generous: nothing here asserts a duration


class Inbox(SubscriptionEventHandler):
    """Collects publications of the user channel; never awaits SDK calls inside callbacks."""

    def __init__(self):
        self.queue: asyncio.Queue = asyncio.Queue()

    async def on_publication(self, ctx: PublicationContext) -> None:
        self.queue.put_nowait(ctx.pub.data)


async def connected(stack, user: str) -> Client:
    client = Client(stack.centrifugo_url, token=stack.token(user), timeout=TIMEOUT, name="rpcc-tests")
    await client.connect()
    await client.ready(timeout=TIMEOUT)
    return client


def with_client(stack, user, body):
    async def go():
        client = await connected(stack, user)
        try:
            return await body(client)
        finally:
            await client.disconnect()

    return asyncio.run(go())


def checkconfig(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(centrifugo_binary()), "checkconfig", "--strict", "-c", str(path)],
                          capture_output=True, text=True, timeout=60)


# -- configuration ------------------------------------------------------------------------------------------------

def test_generated_config_passes_strict_checkconfig(centrifugo_stack):
    res = checkconfig(centrifugo_stack.config_path)
    assert res.returncode == 0, res.stdout + res.stderr


def test_documented_config_passes_strict_checkconfig_and_matches_the_generator():
    from rpcc.centrifugo_config import make_config

    path = REPO / "python" / "centrifugo" / "config.json"
    res = checkconfig(path)
    assert res.returncode == 0, res.stdout + res.stderr
    documented = json.loads(path.read_text())
    expected = make_config(hmac_secret=documented["client"]["token"]["hmac_secret_key"],
                           api_key=documented["http_api"]["key"],
                           proxy_secret=documented["rpc"]["proxy"]["http"]["static_headers"]["X-Rpcc-Proxy-Secret"])
    assert documented == expected, "python/centrifugo/config.json drifted from rpcc.centrifugo_config.make_config"


def test_strict_checkconfig_catches_a_typo(tmp_path, centrifugo_stack):
    cfg = json.loads(centrifugo_stack.config_path.read_text())
    cfg["rpc"]["without_namespace"]["proxy_enabeld"] = True
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(cfg))
    assert checkconfig(bad).returncode != 0


# -- RPC transport --------------------------------------------------------------------------------------------------

def test_rpc_success(centrifugo_stack):
    user = f"rpc-{secrets.token_hex(4)}"

    async def body(client):
        created = (await client.rpc("tasks.create", {"title": "ship it", "labels": ["a"]})).data
        listed = (await client.rpc("tasks.list", {})).data
        stats = (await client.rpc("tasks.get_stats", {"user_id": user})).data
        health = (await client.rpc("system.health", {})).data
        echo = (await client.rpc("debug.echo", {"value": {"k": [1, 2]}})).data
        return created, listed, stats, health, echo

    created, listed, stats, health, echo = with_client(centrifugo_stack, user, body)
    assert created["title"] == "ship it" and created["status"] == "open" and created["labels"] == ["a"]
    assert listed["total"] == 1 and listed["items"][0]["id"] == created["id"]
    assert stats["total"] == 1 and stats["by_status"]["open"] == 1 and stats["avg_cycle"] is None
    assert health["status"] == "ok"
    assert echo["user_id"] == user and echo["transport"] == "rpc" and echo["value"] == {"k": [1, 2]}
    assert echo["client_id"]  # Centrifugo's client id reached the handler


def rpc_error(stack, method, data) -> ReplyError:
    async def body(client):
        with pytest.raises(ReplyError) as err:
            await client.rpc(method, data)
        return err.value

    return with_client(stack, "user-err", body)


def test_rpc_validation_error(centrifugo_stack):
    err = rpc_error(centrifugo_stack, "tasks.get_stats", {"user_id": "u", "limit": "many"})
    assert err.code == 400 and "limit" in err.message


def test_rpc_unknown_method(centrifugo_stack):
    err = rpc_error(centrifugo_stack, "tasks.nope", {})
    assert err.code == 404


def test_rpc_handler_error(centrifugo_stack):
    err = rpc_error(centrifugo_stack, "tasks.update", {"id": 123456789})
    assert (err.code, err.message) == (1404, "task 123456789 not found")
    err = rpc_error(centrifugo_stack, "debug.fail", {"code": 1999, "message": "custom"})
    assert (err.code, err.message) == (1999, "custom")


def test_rpc_internal_error_is_generic(centrifugo_stack):
    err = rpc_error(centrifugo_stack, "debug.fail", {"crash": True})
    assert (err.code, err.message) == (500, "internal server error")
    assert "hunter2" in centrifugo_stack.bridge_log()  # the details are in the server log only


# -- pub/sub transport ----------------------------------------------------------------------------------------------

async def pubsub_session(stack, user, requests):
    """Subscribe to user#<user>, publish each request to rpc:requests, return the replies by correlation id.

    ``requests`` is a list of dicts; a request whose publish is refused is returned as a ReplyError instead."""
    client = await connected(stack, user)
    inbox = Inbox()
    sub = client.new_subscription(f"user#{user}", events=inbox)
    try:
        await sub.subscribe()
        await sub.ready(timeout=TIMEOUT)
        refused, pending = {}, set()
        for req in requests:
            try:
                await client.publish(REQUEST_CHANNEL, req)
                pending.add(req["correlation_id"])
            except ReplyError as exc:
                refused[req["correlation_id"]] = exc
        replies = {}
        while pending:
            msg = await asyncio.wait_for(inbox.queue.get(), TIMEOUT)
            replies[msg["correlation_id"]] = msg
            pending.discard(msg["correlation_id"])
        return replies, refused
    finally:
        await client.disconnect()


def request(method, params, user, **extra):
    return {"method": method, "params": params, "correlation_id": secrets.token_hex(16), "reply_to": f"user#{user}",
            **extra}


def test_pubsub_success_and_error_paths(centrifugo_stack):
    user = f"ps-{secrets.token_hex(4)}"
    reqs = {
        "create": request("tasks.create", {"title": "via pubsub"}, user),
        "echo": request("debug.echo", {"value": 5}, user),
        "invalid": request("tasks.get_stats", {"limit": 5}, user),
        "unknown": request("tasks.nope", {}, user),
        "typed": request("tasks.update", {"id": 987654321}, user),
        "crash": request("debug.fail", {"crash": True}, user),
    }
    replies, refused = asyncio.run(pubsub_session(centrifugo_stack, user, list(reqs.values())))
    assert not refused
    by = {k: replies[r["correlation_id"]] for k, r in reqs.items()}
    assert by["create"]["result"]["title"] == "via pubsub" and "error" not in by["create"]
    assert by["echo"]["result"]["user_id"] == user and by["echo"]["result"]["transport"] == "pubsub"
    assert by["invalid"]["error"]["code"] == 400 and "user_id" in by["invalid"]["error"]["message"]
    assert by["unknown"]["error"]["code"] == 404
    assert by["typed"]["error"] == {"code": 1404, "message": "task 987654321 not found"}
    assert by["crash"]["error"] == {"code": 500, "message": "internal server error"}


def test_pubsub_spoofed_reply_to_is_refused(centrifugo_stack):
    user = f"spoofer-{secrets.token_hex(4)}"
    spoofed = request("debug.echo", {"value": "steal"}, user, reply_to="user#victim")
    honest = request("debug.echo", {"value": "mine"}, user)
    replies, refused = asyncio.run(pubsub_session(centrifugo_stack, user, [spoofed, honest]))
    assert refused[spoofed["correlation_id"]].code == 403
    assert list(replies) == [honest["correlation_id"]]  # the refused request never ran


def test_pubsub_malformed_request_is_refused(centrifugo_stack):
    user = f"bad-{secrets.token_hex(4)}"
    bad = {"method": "debug.echo", "params": {}, "correlation_id": ""}
    replies, refused = asyncio.run(pubsub_session(centrifugo_stack, user, [bad]))
    assert refused[""].code == 400 and not replies


class Refusals(SubscriptionEventHandler):
    def __init__(self):
        self.errors: list = []

    async def on_error(self, ctx) -> None:
        self.errors.append(getattr(ctx.error, "code", None))

    async def on_unsubscribed(self, ctx) -> None:
        self.errors.append(ctx.code)


@pytest.mark.parametrize("channel", ["user#victim", REQUEST_CHANNEL])
def test_other_users_channel_and_request_channel_cannot_be_subscribed(centrifugo_stack, channel):
    from centrifuge import SubscriptionUnsubscribedError

    async def body(client):
        events = Refusals()
        sub = client.new_subscription(channel, events=events)
        await sub.subscribe()
        with pytest.raises(SubscriptionUnsubscribedError):
            await sub.ready(timeout=TIMEOUT)
        return events.errors

    errors = with_client(centrifugo_stack, "intruder", body)
    assert 103 in errors, errors  # permission denied


# -- the bridge (`python -m rpcc serve`, a real uvicorn process) refuses anything but Centrifugo -------------------

def bridge_post(stack, path, body, headers=None):
    """POST straight to the bridge, as an attacker on the network would; returns (HTTP status, answer)."""
    import urllib.error
    import urllib.request

    req = urllib.request.Request(f"{stack.bridge_url}{path}", data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def victims_tasks(stack, victim):
    """The victim's tasks, asked the honest way (through Centrifugo)."""
    async def body(client):
        return (await client.rpc("tasks.list", {})).data

    return with_client(stack, victim, body)


@pytest.mark.parametrize("headers", [{}, {"X-Rpcc-Proxy-Secret": ""}, {"X-Rpcc-Proxy-Secret": "not-the-secret-at-all"},
                                     {"Authorization": "Bearer x"}], ids=["none", "empty", "wrong", "other"])
def test_serve_refuses_forged_requests_and_runs_nothing(centrifugo_stack, headers):
    stack = centrifugo_stack
    victim = f"victim-{secrets.token_hex(4)}"
    rpc_status, rpc_answer = bridge_post(stack, "/centrifugo/rpc", {
        "client": "x", "transport": "websocket", "protocol": "json", "encoding": "json", "user": victim,
        "method": "tasks.create", "data": {"title": "forged"}}, headers)
    pub_status, pub_answer = bridge_post(stack, "/centrifugo/publish", {
        "client": "x", "transport": "websocket", "protocol": "json", "encoding": "json", "user": victim,
        "channel": REQUEST_CHANNEL, "data": {"method": "tasks.create", "params": {"title": "forged"},
                                              "correlation_id": "c", "reply_to": f"user#{victim}"}}, headers)
    assert (rpc_status, rpc_answer) == (401, {"error": "unauthorized"})
    assert (pub_status, pub_answer) == (401, {"error": "unauthorized"})
    assert victims_tasks(stack, victim)["total"] == 0  # nothing ran in the victim's name
    log = stack.bridge_log()
    assert "unauthenticated request" in log and stack.proxy_secret not in log


def test_serve_right_secret_with_another_users_reply_to_runs_nothing(centrifugo_stack):
    stack = centrifugo_stack
    victim = f"victim-{secrets.token_hex(4)}"
    status, answer = bridge_post(stack, "/centrifugo/publish", {
        "client": "x", "user": f"attacker-{secrets.token_hex(4)}", "channel": REQUEST_CHANNEL,
        "data": {"method": "tasks.create", "params": {"title": "forged"}, "correlation_id": "c",
                 "reply_to": f"user#{victim}"}}, {"X-Rpcc-Proxy-Secret": stack.proxy_secret})
    assert status == 200 and answer["error"]["code"] == 403
    assert victims_tasks(stack, victim)["total"] == 0


def test_config_writes_the_same_secret_for_centrifugo_and_the_bridge(tmp_path):
    import os
    import stat
    import sys

    res = subprocess.run([sys.executable, "-m", "rpcc", "config", "-o", str(tmp_path / "c.json"), "--env-file",
                          str(tmp_path / "b.env")], capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    cfg = json.loads((tmp_path / "c.json").read_text())
    env = dict(line.split("=", 1) for line in (tmp_path / "b.env").read_text().splitlines()
               if line and not line.startswith("#"))
    secret = env["RPCC_PROXY_SECRET"]
    assert len(secret) >= 32 and secret not in res.stderr + res.stdout
    assert cfg["rpc"]["proxy"]["http"]["static_headers"] == {"X-Rpcc-Proxy-Secret": secret}
    assert cfg["channel"]["proxy"]["publish"]["http"]["static_headers"] == {"X-Rpcc-Proxy-Secret": secret}
    assert cfg["websocket"]["message_size_limit"] == 65536
    assert cfg["client"]["concurrency"] == 16  # not Centrifugo's one command at a time (see centrifugo_config)
    assert env["RPCC_CENTRIFUGO_API_KEY"] == cfg["http_api"]["key"]
    assert env["RPCC_CENTRIFUGO_API_URL"] == "http://127.0.0.1:8000/api"
    assert stat.S_IMODE(os.stat(tmp_path / "b.env").st_mode) == 0o600
    assert checkconfig(tmp_path / "c.json").returncode == 0


def test_config_client_concurrency_option_and_its_lower_bound(tmp_path):
    import sys

    def config(*extra):
        return subprocess.run([sys.executable, "-m", "rpcc", "config", "-o", str(tmp_path / "c.json"), "--env-file",
                               str(tmp_path / "b.env"), *extra], capture_output=True, text=True, timeout=60)

    res = config("--client-concurrency", "8")
    assert res.returncode == 0, res.stderr
    assert json.loads((tmp_path / "c.json").read_text())["client"]["concurrency"] == 8
    res = config("--client-concurrency", "1")  # 0 and 1 are Centrifugo's one command at a time
    assert res.returncode == 1 and "client concurrency must be at least 2, got 1" in res.stderr


def serve_process(args, env_extra=None):
    import os
    import sys

    from tests.fixture.stack import EXAMPLES, free_port

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("RPCC_")}
    return port, subprocess.Popen([sys.executable, "-m", "rpcc", "serve", "debug_handlers", "-P", str(EXAMPLES),
                                   "--port", str(port), *args], env={**env, **(env_extra or {})},
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_serve_refuses_to_start_without_a_secret():
    _, proc = serve_process([])
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 2 and "no proxy secret" in out and "--insecure-no-auth" in out


def test_serve_insecure_flag_starts_and_warns():
    import time
    import urllib.request

    port, proc = serve_process(["--insecure-no-auth"])
    try:
        end = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2):
                    break
            except OSError:
                assert time.monotonic() < end and proc.poll() is None, "serve did not start"
                time.sleep(0.1)
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    assert "authentication is OFF" in out


# -- limits, live: a bridge with 2 handler slots behind a Centrifugo whose RPC proxy timeout is 3 s ----------------

@pytest.fixture(scope="module")
def limited_stack():
    from tests.fixture import start_stack

    with start_stack(config_args=["--rpc-timeout", "3s"], bridge_args=["--max-concurrency", "2"]) as stack:
        yield stack


def bridge_health(stack) -> dict:
    import urllib.request

    with urllib.request.urlopen(f"{stack.bridge_url}/health", timeout=TIMEOUT) as resp:
        return json.loads(resp.read())


async def until(condition, what, deadline=60.0):
    """Poll ``condition`` (a bound on waiting, not a timing assertion)."""
    end = asyncio.get_running_loop().time() + deadline
    while not condition():
        assert asyncio.get_running_loop().time() < end, f"timed out waiting for {what}"
        await asyncio.sleep(0.02)


def test_live_flood_and_slow_handlers(limited_stack):
    """Two handlers sleep past Centrifugo's 3 s proxy timeout: while they hold both slots, more calls (RPC and
    pub/sub) are refused with 429 temporary; then both are cancelled and counted, and the bridge answers again."""
    stack = limited_stack
    user = f"flood-{secrets.token_hex(4)}"
    before = bridge_health(stack)["stats"]

    async def body(client):
        # Centrifugo runs one connection's commands in order: each sleeper needs its own connection.
        others = [await connected(stack, f"{user}-{i}") for i in range(2)]
        sleepers = [asyncio.ensure_future(other.rpc("debug.sleep", {"seconds": 30})) for other in others]
        await until(lambda: bridge_health(stack)["running"] == 2, "two running handlers")
        with pytest.raises(ReplyError) as rpc_refused:
            await client.rpc("debug.echo", {"value": 1})
        with pytest.raises(ReplyError) as publish_refused:
            await client.publish(REQUEST_CHANNEL, request("debug.echo", {}, user))
        slept = await asyncio.gather(*sleepers, return_exceptions=True)
        await until(lambda: bridge_health(stack)["stats"]["timed_out"] >= before["timed_out"] + 2, "cancellations")
        after = (await client.rpc("debug.echo", {"value": 2})).data
        for other in others:
            await other.disconnect()
        return rpc_refused.value, publish_refused.value, slept, after

    rpc_refused, publish_refused, slept, after = with_client(stack, user, body)
    for refused in (rpc_refused, publish_refused):
        assert (refused.code, refused.temporary) == (429, True) and "busy" in refused.message
    # Both timers are 3 s: Centrifugo gives up (100), or, on a busy machine, the bridge's cancellation answers
    # first (504); either way a temporary timeout, never a result.
    assert all(isinstance(e, ReplyError) and (e.code, e.temporary) in ((100, True), (504, True)) for e in slept), slept
    assert after["value"] == 2
    health = bridge_health(stack)
    assert health["running"] == 0 and health["stats"]["busy"] >= before["busy"] + 2
    assert stack.bridge_log().count("still running after 3s: cancelled") >= 2


def test_live_oversize_and_malformed_bodies_then_flat_memory(limited_stack):
    """Oversize bodies get 413 (declared or not), malformed ones 400, forged ones 401, oversize replies 413; over
    thousands of such requests the bridge stays up and its resident memory stays flat."""
    import http.client

    stack = limited_stack
    secret = {"X-Rpcc-Proxy-Secret": stack.proxy_secret}
    bridge_pid = stack.processes[0].pid
    conn = http.client.HTTPConnection("127.0.0.1", stack.bridge_port, timeout=TIMEOUT)

    def send(body: bytes, headers: dict, chunked: bool = False):
        if chunked:
            conn.putrequest("POST", "/centrifugo/rpc")
            for k, v in {**headers, "Transfer-Encoding": "chunked"}.items():
                conn.putheader(k, v)
            conn.endheaders()
            for i in range(0, len(body), 8192):
                piece = body[i:i + 8192]
                conn.send(b"%x\r\n%s\r\n" % (len(piece), piece))
            conn.send(b"0\r\n\r\n")
        else:
            conn.request("POST", "/centrifugo/rpc", body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        if resp.getheader("connection", "").lower() == "close":
            conn.close()
        return resp.status, json.loads(data)

    big = b'{"user":"u","method":"debug.echo","data":{"value":"' + b"x" * 400_000 + b'"}}'
    echo_big_reply = json.dumps({"user": "u", "method": "debug.echo", "data": {"value": "y" * 70_000}}).encode()
    cases = [
        (big, secret, False, 413),
        (big, secret, True, 413),
        (b"{not json", secret, False, 400),
        (b"[]", secret, False, 400),
        (json.dumps({"user": "victim", "method": "debug.echo"}).encode(), {}, False, 401),
    ]

    def round_of_requests(n):
        for _ in range(n):
            for body, headers, chunked, status in cases:
                assert send(body, headers, chunked)[0] == status
            status, answer = send(echo_big_reply, secret)
            assert status == 200 and answer["error"]["code"] == 413  # the reply would not fit a client message

    def rss_kib() -> int:
        with open(f"/proc/{bridge_pid}/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))

    round_of_requests(100)  # warm-up: caches, allocator arenas
    rss_before = rss_kib()
    round_of_requests(600)
    rss_after = rss_kib()
    conn.close()
    assert stack.processes[0].poll() is None and bridge_health(stack)["status"] == "ok"
    # 3,600 requests that each carried or asked for up to 400 KB: a leak of even one body each would be ~1 GB.
    assert rss_after - rss_before < 32 * 1024, (rss_before, rss_after)


# -- mutual TLS between Centrifugo and the bridge (loopback) ------------------------------------------------------

def make_certs(d: Path) -> None:
    """A test CA, a server certificate for 127.0.0.1 and a client certificate for Centrifugo (openssl CLI)."""
    def ssl_cmd(*args):
        subprocess.run(["openssl", *args], cwd=d, check=True, capture_output=True, timeout=60)

    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    ssl_cmd("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=rpcc-test-ca",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign")
    for name, ext in (("bridge", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n"),
                      ("centrifugo", "extendedKeyUsage=clientAuth\n")):
        (d / f"{name}.ext").write_text(ext)
        ssl_cmd("req", *ec, "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", f"/CN={name}")
        ssl_cmd("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", f"{name}.crt", "-days", "2", "-extfile", f"{name}.ext")


def test_mutual_tls_between_centrifugo_and_the_bridge(tmp_path):
    """The bridge serves HTTPS and requires a client certificate from the test CA; Centrifugo presents its own
    (rpc.proxy.http.tls). Calls through Centrifugo work; a direct caller without a certificate fails the handshake,
    and one with a certificate but without the secret still gets 401."""
    import os
    import ssl
    import sys
    import time
    import urllib.error
    import urllib.request

    from tests.fixture.stack import EXAMPLES, _stop, free_port

    make_certs(tmp_path)
    cport, bport = free_port(), free_port()
    res = subprocess.run([sys.executable, "-m", "rpcc", "config", "--bridge-url", f"https://127.0.0.1:{bport}",
                          "--port", str(cport), "-o", str(tmp_path / "c.json"), "--env-file", str(tmp_path / "b.env")],
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    cfg = json.loads((tmp_path / "c.json").read_text())
    tls = {"enabled": True, "cert_pem": str(tmp_path / "centrifugo.crt"), "key_pem": str(tmp_path / "centrifugo.key"),
           "server_ca_pem": str(tmp_path / "ca.crt")}
    cfg["rpc"]["proxy"]["http"]["tls"] = tls
    cfg["channel"]["proxy"]["publish"]["http"]["tls"] = tls
    (tmp_path / "c.json").write_text(json.dumps(cfg))
    assert checkconfig(tmp_path / "c.json").returncode == 0
    env = {k: v for k, v in os.environ.items() if not k.startswith("RPCC_")}
    bridge = subprocess.Popen([sys.executable, "-m", "rpcc", "serve", "debug_handlers", "-P", str(EXAMPLES),
                               "--port", str(bport), "--env-file", str(tmp_path / "b.env"),
                               "--ssl-certfile", str(tmp_path / "bridge.crt"), "--ssl-keyfile",
                               str(tmp_path / "bridge.key"), "--ssl-ca-certs", str(tmp_path / "ca.crt")],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    centrifugo = subprocess.Popen([str(centrifugo_binary()), "-c", str(tmp_path / "c.json")], cwd=tmp_path,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    with_cert = ssl.create_default_context(cafile=str(tmp_path / "ca.crt"))
    with_cert.load_cert_chain(str(tmp_path / "centrifugo.crt"), str(tmp_path / "centrifugo.key"))
    without_cert = ssl.create_default_context(cafile=str(tmp_path / "ca.crt"))
    url = f"https://127.0.0.1:{bport}"
    try:
        end = time.monotonic() + 60
        for probe, context in ((f"{url}/health", with_cert), (f"http://127.0.0.1:{cport}/health", None)):
            while True:
                try:
                    urllib.request.urlopen(probe, timeout=2, context=context).close()
                    break
                except OSError:
                    assert time.monotonic() < end and bridge.poll() is None and centrifugo.poll() is None
                    time.sleep(0.1)

        class Stack:  # what with_client needs
            centrifugo_url = f"ws://127.0.0.1:{cport}/connection/websocket"

            @staticmethod
            def token(user):
                from tests.fixture import mint_token
                return mint_token(cfg["client"]["token"]["hmac_secret_key"], user)

        async def body(client):
            return (await client.rpc("debug.echo", {"value": "over mTLS"})).data

        assert with_client(Stack, "tls-user", body)["value"] == "over mTLS"
        forged = urllib.request.Request(f"{url}/centrifugo/rpc", data=b'{"user":"victim","method":"debug.echo"}',
                                        method="POST", headers={"Content-Type": "application/json"})
        with pytest.raises((ssl.SSLError, urllib.error.URLError, ConnectionError)):
            urllib.request.urlopen(forged, timeout=10, context=without_cert).read()
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(forged, timeout=10, context=with_cert)
        assert refused.value.code == 401
    finally:
        _stop(centrifugo)
        _stop(bridge)


def test_serve_with_two_workers(tmp_path):
    """`serve --workers 2`: two worker processes behind one port, each with the secret from the env file; calls over
    both transports work and forged ones are still refused."""
    from pathlib import Path as P

    from tests.fixture import start_stack

    with start_stack(("debug_handlers",), bridge_args=["--workers", "2"]) as stack:
        supervisor = stack.processes[0].pid
        children = P(f"/proc/{supervisor}/task/{supervisor}/children").read_text().split()
        workers = [c for c in children if b"multiprocessing" in P(f"/proc/{c}/cmdline").read_bytes()
                   and b"resource_tracker" not in P(f"/proc/{c}/cmdline").read_bytes()]
        assert len(workers) == 2, children
        user = f"workers-{secrets.token_hex(4)}"
        replies, refused = asyncio.run(pubsub_session(stack, user, [request("debug.echo", {"value": i}, user)
                                                                    for i in range(20)]))
        assert not refused and sorted(r["result"]["value"] for r in replies.values()) == list(range(20))

        async def body(client):
            return [(await client.rpc("debug.echo", {"value": i})).data["value"] for i in range(20)]

        assert with_client(stack, user, body) == list(range(20))
        assert bridge_post(stack, "/centrifugo/rpc", {"user": "victim", "method": "debug.echo"})[0] == 401
