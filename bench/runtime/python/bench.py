"""Runtime bench, Python: the generated typed call `api.debug_echo(EchoParams(...))` against the raw SDK call
(centrifuge-python `client.rpc("debug.echo", {...})`; for pub/sub, a minimal subscribe/publish/correlate written
here), over both transports, with 1 and 100 calls in flight. Run under tests/fixture (bench/runtime/run.py does).

    python bench.py SDK_SITE_DIR --calls 2000 --warmup 200 --rounds 3 --max-seconds 10

Prints one JSON object per measurement: lang, transport, inflight, kind (generated | raw), round, elapsed_s and
lat_us (every call's latency in microseconds).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import os
import secrets
import sys
import time
from typing import Any, Awaitable, Callable

import centrifuge

VALUE = {"id": 42, "name": "bench", "tags": ["a", "b"], "score": 0.5}


def token(user: str) -> str:
    enc = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()  # noqa: E731
    unsigned = enc(b'{"alg":"HS256","typ":"JWT"}') + "." + enc(
        json.dumps({"sub": user, "exp": int(time.time()) + 3600}).encode())
    sig = hmac.new(os.environ["CENTRIFUGO_TOKEN_SECRET"].encode(), unsigned.encode(), hashlib.sha256).digest()
    return unsigned + "." + enc(sig)


class RawPubSub:
    """The least a user writes to call over pub/sub with the raw SDK: own channel, publish, match the reply."""

    def __init__(self, client: centrifuge.Client, user: str) -> None:
        self.client, self.user, self.pending = client, user, {}

    async def start(self) -> None:
        outer = self

        class Events(centrifuge.SubscriptionEventHandler):
            async def on_publication(self, ctx: Any) -> None:
                data = ctx.pub.data
                future = outer.pending.pop(data.get("correlation_id"), None)
                if future is not None and not future.done():
                    future.set_result(data)

        sub = self.client.new_subscription(f"user#{self.user}", events=Events())
        await sub.subscribe()
        await sub.ready(timeout=10)

    async def call(self, method: str, params: dict) -> Any:
        cid = secrets.token_hex(16)
        future = asyncio.get_running_loop().create_future()
        self.pending[cid] = future
        await self.client.publish("rpc:requests", {"method": method, "params": params, "correlation_id": cid,
                                                   "reply_to": f"user#{self.user}"})
        reply = await future
        if reply.get("error") is not None:
            raise RuntimeError(reply["error"])
        return reply["result"]


async def measure(call: Callable[[], Awaitable[Any]], count: int, inflight: int, max_seconds: float) -> tuple:
    lat: list[int] = []
    started = time.perf_counter()
    deadline = started + max_seconds
    issued = 0

    async def worker() -> None:
        nonlocal issued
        while issued < count and time.perf_counter() < deadline:
            issued += 1
            t0 = time.perf_counter_ns()
            await call()
            lat.append((time.perf_counter_ns() - t0) // 1000)

    await asyncio.gather(*(worker() for _ in range(inflight)))
    return time.perf_counter() - started, lat


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("site")
    ap.add_argument("--calls", type=int, default=2000)
    ap.add_argument("--warmup", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--max-seconds", type=float, default=10)
    ap.add_argument("--inflight", default="1,100")
    args = ap.parse_args()
    sys.path.insert(0, args.site)
    import live  # the generated SDK  # noqa: PLC0415

    url = os.environ["CENTRIFUGO_URL"]
    for transport in ("rpc", "pubsub"):
        gen_user, raw_user = f"py-gen-{transport}", f"py-raw-{transport}"
        api = live.APIClient(url, token(gen_user), gen_user, transport=transport, timeout=30)
        await api.connect()
        raw = centrifuge.Client(url, token=token(raw_user), timeout=30)
        await raw.connect()
        await raw.ready(timeout=10)
        pubsub = RawPubSub(raw, raw_user)
        if transport == "pubsub":
            await pubsub.start()

        async def gen_call() -> Any:
            result = await api.debug_echo(live.EchoParams(value=VALUE))
            assert result.value == VALUE
            return result

        async def raw_call() -> Any:
            if transport == "rpc":
                result = (await raw.rpc("debug.echo", {"value": VALUE})).data
            else:
                result = await pubsub.call("debug.echo", {"value": VALUE})
            assert result["value"] == VALUE
            return result

        calls = {"generated": gen_call, "raw": raw_call}
        for inflight in (int(x) for x in args.inflight.split(",")):
            for kind, call in calls.items():
                await measure(call, args.warmup, inflight, args.max_seconds)
            for rnd in range(args.rounds):
                order = ["generated", "raw"] if rnd % 2 == 0 else ["raw", "generated"]
                for kind in order:
                    elapsed, lat = await measure(calls[kind], args.calls, inflight, args.max_seconds)
                    print(json.dumps({"lang": "python", "transport": transport, "inflight": inflight, "kind": kind,
                                      "round": rnd, "elapsed_s": elapsed, "lat_us": lat}), flush=True)
        await api.close()
        await raw.disconnect()


if __name__ == "__main__":
    asyncio.run(main())
