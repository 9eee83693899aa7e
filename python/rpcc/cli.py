"""``python -m rpcc``: export, serve, config."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
import tempfile
from typing import Any, Sequence

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
        rename = {}
        for item in args.rename:
            qualname, sep, name = item.partition("=")
            if not sep or not qualname or not name:
                print(f"rpcc export: error: --rename takes MODULE.CLASS=NAME, not {item!r}", file=sys.stderr)
                return 2
            rename[qualname] = name
        text = export_modules(args.modules, path=args.path, naming=args.names, rename=rename)
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


def read_env_file(path: str) -> dict[str, str]:
    """``KEY=VALUE`` lines (``#`` comments, blank lines); what ``python -m rpcc config --env-file`` writes."""
    values: dict[str, str] = {}
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            key, sep, value = line.partition("=")
            if not sep or not key.strip():
                raise ValueError(f"{path}:{number}: expected KEY=VALUE")
            values[key.strip()] = value.strip()
    return values


def _serve_env(args: argparse.Namespace) -> dict[str, str]:
    """The settings of `serve` as the RPCC_* variables rpcc.asgi.create_app reads (also in worker processes).
    Precedence: command-line options, then --env-file, then the environment."""
    env = dict(os.environ)
    if args.env_file:
        env.update(read_env_file(args.env_file))
    if args.proxy_secret_file:
        with open(args.proxy_secret_file, encoding="utf-8") as f:
            env["RPCC_PROXY_SECRET"] = f.read().strip()
    env["RPCC_HANDLER_MODULES"] = ",".join(args.modules)
    env["RPCC_MODULE_PATH"] = os.pathsep.join(os.path.abspath(p) for p in args.path)
    if args.centrifugo_api:
        env["RPCC_CENTRIFUGO_API_URL"] = args.centrifugo_api
    if args.api_key:
        env["RPCC_CENTRIFUGO_API_KEY"] = args.api_key
    if args.ack_after_reply:
        env["RPCC_ACK_AFTER_REPLY"] = "1"
    if args.insecure_no_auth:
        env["RPCC_INSECURE_NO_AUTH"] = "1"
    for option, variable in SERVE_LIMIT_OPTIONS.items():
        value = getattr(args, option)
        if value is not None:
            env[variable] = str(value)
    if args.metrics_port is not None or args.metrics_path:
        env["RPCC_METRICS"] = "1"
    if args.metrics_path:
        env["RPCC_METRICS_PATH"] = args.metrics_path
    if args.otel_tracing:
        env["RPCC_OTEL_TRACING"] = args.otel_tracing
    if args.on_contract_mismatch:
        env["RPCC_CONTRACT_MISMATCH"] = args.on_contract_mismatch
    if args.on_missing_contract:
        env["RPCC_CONTRACT_MISSING"] = args.on_missing_contract
    if args.contract_older:
        env["RPCC_CONTRACT_OLDER"] = ",".join(args.contract_older)
    if args.contract_compatible:
        env["RPCC_CONTRACT_COMPATIBLE"] = ",".join(args.contract_compatible)
    return env


SERVE_LIMIT_OPTIONS = {  # serve option (attribute) -> the variable rpcc.asgi.create_app reads
    "max_message_size": "RPCC_MAX_MESSAGE_SIZE",
    "max_body": "RPCC_MAX_BODY",
    "max_concurrency": "RPCC_MAX_CONCURRENCY",
    "handler_timeout": "RPCC_HANDLER_TIMEOUT",
    "publish_timeout": "RPCC_PUBLISH_TIMEOUT",
    "subscribe_timeout": "RPCC_SUBSCRIBE_TIMEOUT",
}


def _cmd_serve(args: argparse.Namespace) -> int:
    from .asgi import create_app
    from .bridge import InsecureBridgeError

    logging.basicConfig(level=getattr(logging, args.log_level.upper(), logging.INFO),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.workers < 1:
        print("rpcc serve: error: --workers must be at least 1", file=sys.stderr)
        return 2
    try:
        env = _serve_env(args)
    except (OSError, ValueError) as exc:
        print(f"rpcc serve: error: {exc}", file=sys.stderr)
        return 2
    if env.get("RPCC_CENTRIFUGO_API_URL") and not env.get("RPCC_CENTRIFUGO_API_KEY"):
        print("rpcc serve: error: --centrifugo-api needs --api-key (or RPCC_CENTRIFUGO_API_KEY)", file=sys.stderr)
        return 2
    if not env.get("RPCC_CENTRIFUGO_API_URL"):
        print("rpcc serve: warning: no --centrifugo-api: the pub/sub transport answers 503", file=sys.stderr)
    if env.get("RPCC_METRICS") and args.workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Each worker is a process with its own counters: prometheus_client's multiprocess mode keeps them in files
        # of this directory and the exposition sums them. Set before prometheus_client is first imported.
        import tempfile

        os.environ["PROMETHEUS_MULTIPROC_DIR"] = env["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(
            prefix="rpcc-metrics-")
    try:
        app = create_app(env)  # also in the parent with --workers: refuse a bad setup before forking
    except InsecureBridgeError as exc:
        print(f"rpcc serve: error: {exc}", file=sys.stderr)
        return 2
    except ImportError as exc:
        print(f"rpcc serve: error: {exc.name or exc} is not installed (metrics: pip install 'rpcc[metrics]'; "
              "OpenTelemetry: pip install 'rpcc[otel]')", file=sys.stderr)
        return 1
    except Exception as exc:
        print(f"rpcc serve: error: {exc}", file=sys.stderr)
        return 1
    if args.metrics_port is not None:
        from .telemetry import start_metrics_server

        try:
            start_metrics_server(args.metrics_port, args.host)
        except OSError as exc:
            print(f"rpcc serve: error: cannot serve metrics on port {args.metrics_port}: {exc}", file=sys.stderr)
            return 1
    try:
        import uvicorn
    except ImportError:
        print("rpcc serve: error: uvicorn is not installed (pip install 'rpcc[serve]')", file=sys.stderr)
        return 1
    options: dict = dict(host=args.host, port=args.port, log_level=args.log_level.lower(), lifespan="on",
                         access_log=args.access_log)
    if args.ssl_certfile:
        import ssl

        options.update(ssl_certfile=args.ssl_certfile, ssl_keyfile=args.ssl_keyfile)
        if args.ssl_ca_certs:  # mutual TLS: a client (Centrifugo) without a certificate from this CA is refused
            options.update(ssl_ca_certs=args.ssl_ca_certs, ssl_cert_reqs=ssl.CERT_REQUIRED)
    elif args.ssl_keyfile or args.ssl_ca_certs:
        print("rpcc serve: error: --ssl-keyfile and --ssl-ca-certs need --ssl-certfile", file=sys.stderr)
        return 2
    if args.workers > 1:
        # Worker processes import the app factory and read the same RPCC_* settings from their environment.
        os.environ.update(env)
        _run_workers(uvicorn, args.workers, options)
    else:
        uvicorn.run(app, **options)
    return 0


def _run_workers(uvicorn: Any, workers: int, options: dict) -> None:
    """uvicorn.run(..., workers=N), except that the shared listening socket is made with IPPROTO_TCP: uvicorn makes
    it with proto 0, so asyncio does not set TCP_NODELAY on the accepted connections, and each answer (headers and
    body are two writes) then waits ~40 ms for the peer's delayed ACK (Nagle) on Centrifugo's kept-alive
    connections."""
    import inspect
    import socket

    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config("rpcc.asgi:create_app", factory=True, workers=workers, **options)
    sock = config.bind_socket()
    if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.proto != socket.IPPROTO_TCP:
        sock = socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
        sock.set_inheritable(True)
    sockets = [sock]
    if "target" in inspect.signature(Multiprocess).parameters:  # uvicorn < 0.30
        Multiprocess(config, target=uvicorn.Server(config).run, sockets=sockets).run()  # type: ignore[call-arg]
    else:
        Multiprocess(config, sockets=sockets).run()


def _cmd_config(args: argparse.Namespace) -> int:
    from .centrifugo_config import bridge_env, make_config, render_config, render_env

    namespaces = None
    if args.modules:  # typed channels: the namespaces they need
        from .channels import ChannelError, namespace_options

        try:
            namespaces = namespace_options(discover(args.modules, path=args.path).channels())
        except (ChannelError, DiscoveryError, Exception) as exc:
            print(f"rpcc config: error: {exc}", file=sys.stderr)
            return 1
    try:
        cfg = make_config(args.bridge_url, address=args.address, port=args.port,
                          message_size_limit=args.message_size_limit, client_concurrency=args.client_concurrency,
                          rpc_timeout=args.rpc_timeout,
                          publish_timeout=args.publish_timeout, subscribe_timeout=args.subscribe_timeout,
                          channel_namespaces=namespaces)
    except ValueError as exc:
        print(f"rpcc config: error: {exc}", file=sys.stderr)
        return 1
    text = render_config(cfg)
    env_text = render_env(bridge_env(cfg))
    env_file = args.env_file
    if env_file is None and args.output != "-":
        env_file = os.path.join(os.path.dirname(os.path.abspath(args.output)), "rpcc-bridge.env")
    if env_file is not None:
        _write_private(env_file, env_text)
    if args.output == "-":
        sys.stdout.write(text)
    else:
        write_if_changed(args.output, text)
    if env_file is None:  # config on stdout, no --env-file: the bridge's settings go to stderr
        sys.stderr.write(env_text)
    else:
        print(f"rpcc config: the bridge's settings (the proxy secret, the API key) are in {env_file}: "
              f"python -m rpcc serve MODULE... --env-file {env_file}", file=sys.stderr)
    return 0


def _write_private(path: str, text: str) -> None:
    """Write a file only its owner can read (it holds secrets), atomically."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".rpcc-", dir=directory)  # mkstemp creates it 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m rpcc", description="Centrifugo RPC handlers: export and serve")
    sub = p.add_subparsers(dest="command", required=True)

    e = sub.add_parser("export", help="write the .rpc IDL of the handlers registered by MODULE...")
    e.add_argument("modules", nargs="+", metavar="MODULE", help="dotted module names to import")
    e.add_argument("-o", "--output", required=True, help="output .rpc file ('-' for stdout)")
    e.add_argument("-P", "--path", action="append", default=[], help="prepend DIR to sys.path (repeatable)")
    e.add_argument("--names", choices=["class", "module"], default="class",
                   help="declaration names: the class name (default), or qualified by the defining module "
                   "(chat_completion.Choice -> ChatCompletionChoice) for libraries whose classes share names")
    e.add_argument("--rename", action="append", default=[], metavar="MODULE.CLASS=NAME",
                   help="export a class under a name of your choosing (repeatable)")
    e.set_defaults(func=_cmd_export)

    s = sub.add_parser("serve", help="serve the RPC proxy and publish proxy endpoints (ASGI, uvicorn)")
    s.add_argument("modules", nargs="+", metavar="MODULE")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=3000)
    s.add_argument("--centrifugo-api", metavar="URL", help="Centrifugo server API, e.g. http://127.0.0.1:8000/api "
                   "(env RPCC_CENTRIFUGO_API_URL)")
    s.add_argument("--api-key", metavar="KEY", help="Centrifugo http_api.key (env RPCC_CENTRIFUGO_API_KEY)")
    tls = s.add_argument_group("TLS (HTTPS; with --ssl-ca-certs also client certificates: mutual TLS)")
    tls.add_argument("--ssl-certfile", metavar="FILE", help="the bridge's certificate (PEM)")
    tls.add_argument("--ssl-keyfile", metavar="FILE", help="its private key (PEM)")
    tls.add_argument("--ssl-ca-certs", metavar="FILE", help="require a client certificate signed by this CA "
                     "(Centrifugo's *.proxy.http.tls cert_pem/key_pem)")
    s.add_argument("--workers", type=int, default=1, metavar="N", help="worker processes sharing the port "
                   "(uvicorn's); each has its own limits (default 1)")
    s.add_argument("--env-file", metavar="FILE", help="read RPCC_* settings from FILE (KEY=VALUE lines, as "
                   "`python -m rpcc config` writes them); they override the environment, options override them")
    s.add_argument("--proxy-secret-file", metavar="FILE", help="read the proxy secret from FILE (else "
                   "RPCC_PROXY_SECRET); Centrifugo sends it in X-Rpcc-Proxy-Secret")
    s.add_argument("--insecure-no-auth", action="store_true", help="DEVELOPMENT ONLY: accept proxy requests "
                   "without the secret (anyone who reaches the port can call every handler as any user)")
    limits = s.add_argument_group("limits (per process; defaults: the env file's or the environment's RPCC_* "
                                  "values, else the built-in defaults)")
    limits.add_argument("--max-message-size", type=int, metavar="BYTES", help="Centrifugo's "
                        "websocket.message_size_limit (RPCC_MAX_MESSAGE_SIZE, default 65536): replies must fit in it "
                        "(else error 413), request bodies in four times it")
    limits.add_argument("--max-body", type=int, metavar="BYTES", help="largest proxy request body; HTTP 413 above "
                        "(RPCC_MAX_BODY, default 4 x the message size)")
    limits.add_argument("--max-concurrency", type=int, metavar="N", help="handlers running at once; more calls get "
                        "error 429, temporary (RPCC_MAX_CONCURRENCY, default 256)")
    limits.add_argument("--handler-timeout", type=float, metavar="SECONDS", help="cancel a handler still running "
                        "after this; use Centrifugo's rpc.proxy.timeout (RPCC_HANDLER_TIMEOUT, default 10)")
    limits.add_argument("--publish-timeout", type=float, metavar="SECONDS", help="with --ack-after-reply: Centrifugo's "
                        "channel.proxy.publish.timeout (RPCC_PUBLISH_TIMEOUT, default 3)")
    limits.add_argument("--subscribe-timeout", type=float, metavar="SECONDS", help="typed channels' guards: "
                        "Centrifugo's channel.proxy.subscribe.timeout (RPCC_SUBSCRIBE_TIMEOUT, default 3)")
    contract = s.add_argument_group("contract (clients send the hash of the .rpc their SDK was generated from; "
                                    "spec/evolution.md)")
    contract.add_argument("--on-contract-mismatch", choices=["accept", "log", "refuse"],
                          help="a call whose hash is not the served handlers': accept and count it (default), also "
                          "log each new hash once, or refuse it with error 426 (older) / 412 (differs) "
                          "(RPCC_CONTRACT_MISMATCH)")
    contract.add_argument("--on-missing-contract", choices=["accept", "log", "refuse"],
                          help="the same for a call without a hash (older SDKs); refused: error 426 "
                          "(RPCC_CONTRACT_MISSING, default accept)")
    contract.add_argument("--contract-older", action="append", default=[], metavar="HASH",
                          help="a hash of an earlier version of the served contract: its clients are told theirs "
                          "is older (repeatable; RPCC_CONTRACT_OLDER, comma-separated)")
    contract.add_argument("--contract-compatible", action="append", default=[], metavar="HASH",
                          help="a hash accepted as the served one (a version --breaking-against found safe; "
                          "repeatable; RPCC_CONTRACT_COMPATIBLE)")
    s.add_argument("--ack-after-reply", action="store_true",
                   help="publish proxy: answer Centrifugo only after the reply is published (default: at once)")
    telemetry = s.add_argument_group("telemetry (rpcc.telemetry; python/README.md, \"Telemetry\")")
    telemetry.add_argument("--metrics-port", type=int, metavar="PORT", help="serve Prometheus metrics on this port "
                           "of --host (needs prometheus_client: pip install 'rpcc[metrics]')")
    telemetry.add_argument("--metrics-path", metavar="PATH", help="serve Prometheus metrics on this path of the "
                           "bridge's own port, e.g. /metrics (unauthenticated, like /health)")
    telemetry.add_argument("--otel-tracing", choices=["propagated", "always"], help="OpenTelemetry server spans "
                           "with the globally configured SDK: continue the traces callers send (propagated), or "
                           "also start one for calls that send none (always); needs 'rpcc[otel]'")
    s.add_argument("-P", "--path", action="append", default=[], help="prepend DIR to sys.path (repeatable)")
    s.add_argument("--log-level", default="info")
    s.add_argument("--access-log", action="store_true")
    s.set_defaults(func=_cmd_serve)

    c = sub.add_parser("config", help="write a Centrifugo v6 config for both transports and the bridge's settings, "
                       "with fresh secrets")
    c.add_argument("modules", nargs="*", metavar="MODULE", help="handler modules whose typed channels need "
                   "namespaces (history, recovery, subscribe and publish proxies)")
    c.add_argument("-P", "--path", action="append", default=[], help="prepend DIR to sys.path (repeatable)")
    c.add_argument("--bridge-url", default="http://127.0.0.1:3000")
    c.add_argument("--address", default="127.0.0.1")
    c.add_argument("--port", type=int, default=8000)
    c.add_argument("--message-size-limit", type=int, default=65536, metavar="BYTES",
                   help="websocket.message_size_limit: the largest message a client may send (default 65536)")
    c.add_argument("--client-concurrency", type=int, default=16, metavar="N",
                   help="client.concurrency: commands of one connection Centrifugo runs at once (default 16; "
                   "Centrifugo's own default runs them one at a time, so one slow call holds the others)")
    c.add_argument("--rpc-timeout", default="10s", metavar="DURATION",
                   help="rpc.proxy.timeout, also the bridge's handler timeout (default 10s)")
    c.add_argument("--publish-timeout", default="3s", metavar="DURATION",
                   help="channel.proxy.publish.timeout (default 3s)")
    c.add_argument("--subscribe-timeout", default="3s", metavar="DURATION",
                   help="channel.proxy.subscribe.timeout, for channels with a guard (default 3s)")
    c.add_argument("-o", "--output", default="-", help="the Centrifugo config ('-': stdout)")
    c.add_argument("--env-file", metavar="FILE", help="the bridge's settings (RPCC_PROXY_SECRET, the API URL and "
                   "key), mode 0600 (default: rpcc-bridge.env beside --output; with '-' they go to stderr)")
    c.set_defaults(func=_cmd_config)

    args = p.parse_args(argv)
    return int(args.func(args))
