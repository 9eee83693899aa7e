"""Conformance driver for the generated Python SDK (protocol: check_vectors.py).

    python driver.py SITE PACKAGE     SITE holds PACKAGE, the SDK rpcc generated from conformance.rpc

Decodes like a generated method (the result JSON, parsed by centrifuge-python's json.loads, through the SDK's
result decoding) and encodes like one (the params through client._to_json). A publication case goes to the
subscription a generated ``subscribe_<channel>`` method makes, through its ``_publication`` (what centrifuge-python's
publication event calls): delivered to ``on_publication``, or told to ``on_error`` as a PublicationDecodeError.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import sys
from typing import Any


async def publication(sdk: Any, channel: str, data: Any) -> dict[str, str]:
    """What a typed subscription to channel does with a publication whose data is data (never connected)."""
    delivered: list[Any] = []
    reported: list[Any] = []
    api = sdk.APIClient("ws://127.0.0.1:9/connection/websocket")
    subscribe = getattr(api, "subscribe_" + channel.replace(".", "_"))
    subscription = subscribe(on_publication=delivered.append, on_error=reported.append)
    await subscription._publication(data, 1)
    if reported and not delivered and isinstance(reported[0], sdk.PublicationDecodeError):
        return {"reported": f"{type(reported[0]).__name__}: {reported[0]}".splitlines()[0]}
    if delivered and not reported:
        return {"out": json.dumps(importlib.import_module(f"{sdk.__name__}.client")._to_json(delivered[0]))}
    return {"error": f"delivered {delivered!r}, reported {reported!r}"}


def main() -> int:
    sys.path.insert(0, sys.argv[1])
    sdk = importlib.import_module(sys.argv[2])
    client = importlib.import_module(f"{sys.argv[2]}.client")
    decode = sdk.CentrifugoRPCClient._decode
    for line in sys.stdin:
        if not line.strip():
            continue
        case = json.loads(line)
        answer: dict[str, str] = {"name": case["name"]}
        try:
            data = json.loads(case["in"])
            if "channel" in case:
                answer.update(asyncio.run(publication(sdk, case["channel"], data)))
                print(json.dumps(answer), flush=True)
                continue
            model = getattr(sdk, case["type"])
            value = decode(model, data, "conformance")
            answer["out"] = json.dumps(client._to_json(value))
        except Exception as exc:  # noqa: BLE001  (every failure is an answer)
            answer["error"] = f"{type(exc).__name__}: {exc}".splitlines()[0]
        print(json.dumps(answer), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
