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
                           api_key=documented["http_api"]["key"])
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
