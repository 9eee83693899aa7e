"""``python -m rpcc``: export, serve, config."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
from typing import Optional, Sequence

from .discovery import DiscoveryError, discover
from .exporter import ExportError, export_modules

__all__ = ["main", "export_modules", "write_if_changed"]


def write_if_changed(path: str, text: str) -> None:
    """Write atomically; leave the file untouched when its content is already ``text``."""
    data = text.encode("utf-8")
    try:
        with open(path, "rb") as f:
            if f.read() == data:
                return
    except OSError:
        pass
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".rpcc-", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _cmd_export(args: argparse.Namespace) -> int:
    try:
        text = export_modules(args.modules, path=args.path)
    except ExportError as exc:
        for e in exc.errors:
            print(f"rpcc export: error: {e}", file=sys.stderr)
        return 1
    except (DiscoveryError, Exception) as exc:  # a handler module that fails to import or register
        print(f"rpcc export: error: {exc}", file=sys.stderr)
        return 1
    if args.output == "-":
        sys.stdout.write(text)
    else:
        write_if_changed(args.output, text)
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    from .asgi import BridgeApp
    from .bridge import Bridge, CentrifugoAPI

    logging.basicConfig(level=getattr(logging, args.log_level.upper(), logging.INFO),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        router = discover(args.modules, path=args.path)
    except Exception as exc:
        print(f"rpcc serve: error: {exc}", file=sys.stderr)
        return 1
    api_key = args.api_key or os.environ.get("RPCC_CENTRIFUGO_API_KEY")
    api_url = args.centrifugo_api or os.environ.get("RPCC_CENTRIFUGO_API_URL")
    api = None
    if api_url:
        if not api_key:
            print("rpcc serve: error: --centrifugo-api needs --api-key (or RPCC_CENTRIFUGO_API_KEY)", file=sys.stderr)
            return 2
        api = CentrifugoAPI(api_url, api_key)
    else:
        print("rpcc serve: warning: no --centrifugo-api: the pub/sub transport answers 503", file=sys.stderr)
    app = BridgeApp(Bridge(router, api=api, ack_after_reply=args.ack_after_reply))
    try:
        import uvicorn
    except ImportError:
        print("rpcc serve: error: uvicorn is not installed (pip install 'rpcc[serve]')", file=sys.stderr)
        return 1
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level.lower(), lifespan="on",
                access_log=args.access_log)
    return 0


def _cmd_config(args: argparse.Namespace) -> int:
    from .centrifugo_config import make_config, render_config

    cfg = make_config(args.bridge_url, address=args.address, port=args.port)
    text = render_config(cfg)
    if args.output == "-":
        sys.stdout.write(text)
    else:
        write_if_changed(args.output, text)
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    p = argparse.ArgumentParser(prog="python -m rpcc", description="Centrifugo RPC handlers: export and serve")
    sub = p.add_subparsers(dest="command", required=True)

    e = sub.add_parser("export", help="write the .rpc IDL of the handlers registered by MODULE...")
    e.add_argument("modules", nargs="+", metavar="MODULE", help="dotted module names to import")
    e.add_argument("-o", "--output", required=True, help="output .rpc file ('-' for stdout)")
    e.add_argument("-P", "--path", action="append", default=[], help="prepend DIR to sys.path (repeatable)")
    e.set_defaults(func=_cmd_export)

    s = sub.add_parser("serve", help="serve the RPC proxy and publish proxy endpoints (ASGI, uvicorn)")
    s.add_argument("modules", nargs="+", metavar="MODULE")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=3000)
    s.add_argument("--centrifugo-api", metavar="URL", help="Centrifugo server API, e.g. http://127.0.0.1:8000/api "
                   "(env RPCC_CENTRIFUGO_API_URL)")
    s.add_argument("--api-key", metavar="KEY", help="Centrifugo http_api.key (env RPCC_CENTRIFUGO_API_KEY)")
    s.add_argument("--ack-after-reply", action="store_true",
                   help="publish proxy: answer Centrifugo only after the reply is published (default: at once)")
    s.add_argument("-P", "--path", action="append", default=[], help="prepend DIR to sys.path (repeatable)")
    s.add_argument("--log-level", default="info")
    s.add_argument("--access-log", action="store_true")
    s.set_defaults(func=_cmd_serve)

    c = sub.add_parser("config", help="print a Centrifugo v6 config for both transports, with fresh secrets")
    c.add_argument("--bridge-url", default="http://127.0.0.1:3000")
    c.add_argument("--address", default="127.0.0.1")
    c.add_argument("--port", type=int, default=8000)
    c.add_argument("-o", "--output", default="-")
    c.set_defaults(func=_cmd_config)

    args = p.parse_args(argv)
    return int(args.func(args))
