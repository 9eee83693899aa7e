"""Batch bench, Python: 100 small typed calls (debug.echo) as one batch, one after another, and all at once
(asyncio.gather), over both transports. Run under tests/fixture (bench/batch/run.py does).

    python bench.py SDK_SITE_DIR --calls 100 --rounds 20

Prints one JSON object per measurement: lang, transport, mode (batch | sequential | concurrent), round, ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("site")
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    sys.path.insert(0, args.site)
    import live  # the SDK rpcc generated from the debug handlers

    user = os.environ["CENTRIFUGO_USER"]
    for transport in ("rpc", "pubsub"):
        async with live.APIClient(os.environ["CENTRIFUGO_URL"], os.environ["CENTRIFUGO_TOKEN"], user,
                                  transport=transport, timeout=30) as api:

            def call(i: int):  # a coroutine of one small typed call, not yet awaited
                return api.debug_echo(live.EchoParams(value=i))

            async def sequential() -> None:
                for i in range(args.calls):
                    await call(i)

            async def concurrent() -> None:
                await asyncio.gather(*(call(i) for i in range(args.calls)))

            async def batch() -> None:
                results = await api.batch(*(call(i) for i in range(args.calls)), max_batch=args.calls)
                assert not any(isinstance(r, live.RPCError) for r in results)

            modes = {"sequential": sequential, "concurrent": concurrent, "batch": batch}
            for mode in modes.values():  # warm-up
                await mode()
            for round_ in range(args.rounds):
                # The order of the modes rotates each round, so that none always runs first.
                names = list(modes)[round_ % 3:] + list(modes)[:round_ % 3]
                for name in names:
                    start = time.perf_counter()
                    await modes[name]()
                    ms = (time.perf_counter() - start) * 1000
                    print(json.dumps({"lang": "python", "transport": transport, "mode": name, "round": round_,
                                      "calls": args.calls, "ms": round(ms, 3)}), flush=True)


asyncio.run(main())
