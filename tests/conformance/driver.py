"""Conformance driver for the generated Python SDK (protocol: check_vectors.py).

    python driver.py SITE PACKAGE     SITE holds PACKAGE, the SDK rpcc generated from conformance.rpc

Decodes like a generated method (the result JSON, parsed by centrifuge-python's json.loads, through the SDK's
result decoding) and encodes like one (the params through client._to_json).
"""

from __future__ import annotations

import importlib
import json
import sys


def main() -> int:
    sys.path.insert(0, sys.argv[1])
    sdk = importlib.import_module(sys.argv[2])
    client = importlib.import_module(f"{sys.argv[2]}.client")
    decode = sdk.CentrifugoRPCClient._decode
    for line in sys.stdin:
        if not line.strip():
            continue
        case = json.loads(line)
        model = getattr(sdk, case["type"])
        answer: dict[str, str] = {"name": case["name"]}
        try:
            data = json.loads(case["in"])
            value = decode(model, data, "conformance")
            answer["out"] = json.dumps(client._to_json(value))
        except Exception as exc:  # noqa: BLE001  (every failure is an answer)
            answer["error"] = f"{type(exc).__name__}: {exc}".splitlines()[0]
        print(json.dumps(answer), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
