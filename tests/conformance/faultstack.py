"""The stack of the fault tests: tests/fixture's Centrifugo + bridge, with the fault handlers, a control endpoint
that restarts Centrifugo on the same port, and a two-node mode that shares a Redis engine.

    python tests/conformance/faultstack.py run [--two-nodes] -- COMMAND...

The child gets tests/fixture's variables (README there) plus:

    RPCC_CONTROL_URL      POST $RPCC_CONTROL_URL/restart: stop Centrifugo, start it again on the same port and
                          config, answer 200 once its /health answers (the node clients connect to, in two-node mode).
                          A body {"config": {...}} is merged into the stack's original config for this start (checked
                          with `centrifugo checkconfig --strict` first); {} or no body restores the original.
                          POST $RPCC_CONTROL_URL/proxy: a loopback TCP proxy to Centrifugo; answers {"id", "url"}
                          (the WebSocket endpoint through the proxy). POST .../proxy/freeze {"id"}: the proxy stops
                          forwarding on the connections open now, in both directions, without closing them (a
                          half-open connection); later connections are forwarded. Answers {"frozen": n}.
    RPCC_TWO_NODES        "1" in two-node mode: clients connect to node A (CENTRIFUGO_URL); the bridge publishes
                          pub/sub replies through node B's server API (RPCC_NODE_B_API_URL), so they reach the client
                          only through Redis
"""

from __future__ import annotations

import argparse
import contextlib
import http.server
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.fixture.stack import (
    DEFAULT_MODULES,
    EXAMPLES,
    Stack,
    StackError,
    _stop,
    _wait_http,
    centrifugo_binary,
    free_port,
    start_stack,
    write_config,
)

MODULES = (*DEFAULT_MODULES, "fault_handlers")


def _start_centrifugo(stack: Stack, config: Path, log_name: str) -> subprocess.Popen:
    with open(stack.workdir / log_name, "ab") as log:
        return subprocess.Popen([str(centrifugo_binary()), "-c", str(config)], stdout=log, stderr=subprocess.STDOUT,
                                cwd=stack.workdir, start_new_session=True)


def _merged(base: dict, overrides: dict) -> dict:
    merged = dict(base)
    for key, value in overrides.items():
        merged[key] = _merged(base[key], value) if isinstance(value, dict) and isinstance(base.get(key), dict) else value
    return merged


_original_configs: dict[Path, str] = {}


def restart_centrifugo(stack: Stack, index: int, overrides: dict | None = None) -> None:
    """Stops the Centrifugo process stack.processes[index] and starts it again with its port and its original
    config, into which ``overrides`` are merged (checked with `centrifugo checkconfig --strict` first)."""
    old = stack.processes[index]
    config = Path(old.args[2])
    original = _original_configs.setdefault(config, config.read_text())
    text = json.dumps(_merged(json.loads(original), overrides), indent=2) if overrides else original
    if text != config.read_text():
        config.write_text(text)
        check = subprocess.run([str(centrifugo_binary()), "checkconfig", "--strict", "-c", str(config)],
                               check=False, capture_output=True, text=True, cwd=stack.workdir)
        if check.returncode != 0:
            config.write_text(original)
            raise StackError(f"config overrides {overrides} refused: {check.stdout}{check.stderr}")
    _stop(old)
    proc = _start_centrifugo(stack, config, "centrifugo.log")
    stack.processes[index] = proc
    port = json.loads(config.read_text())["http_server"]["port"]
    _wait_http(f"http://127.0.0.1:{port}/health", proc, "centrifugo (restarted)", time.monotonic() + 60, stack)


def _redis_server() -> str:
    path = shutil.which("redis-server")
    if not path:
        raise StackError("redis-server not found: install Debian's redis-server (make check-conformance does)")
    return path


def _wait_redis(port: int, proc: subprocess.Popen, deadline: float) -> None:
    import socket

    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise StackError(f"redis-server exited with code {proc.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(b"PING\r\n")
            if s.recv(16).startswith(b"+PONG"):
                return
        time.sleep(0.1)
    raise StackError("redis-server did not answer in time")


@contextlib.contextmanager
def start_two_nodes() -> Iterator[tuple[Stack, dict[str, str]]]:
    """Redis, Centrifugo nodes A and B with the Redis engine, and the bridge publishing through node B."""
    workdir = Path(tempfile.mkdtemp(prefix="rpcc-two-nodes-"))
    stack = Stack(centrifugo_port=free_port(), bridge_port=free_port(), api_key=secrets.token_urlsafe(24),
                  token_secret=secrets.token_urlsafe(32), workdir=workdir, config_path=workdir / "config.json",
                  proxy_secret=secrets.token_urlsafe(32))
    ports = {stack.centrifugo_port, stack.bridge_port}
    node_b_port, redis_port = free_port(), free_port()
    while len(ports | {node_b_port, redis_port}) < 4:
        node_b_port, redis_port = free_port(), free_port()
    node_b_api = f"http://127.0.0.1:{node_b_port}/api"
    try:
        with open(workdir / "redis.log", "wb") as rlog:
            stack.processes.append(subprocess.Popen(
                [_redis_server(), "--bind", "127.0.0.1", "--port", str(redis_port), "--save", "", "--appendonly",
                 "no", "--dir", str(workdir)], stdout=rlog, stderr=subprocess.STDOUT, cwd=workdir,
                start_new_session=True))
        _wait_redis(redis_port, stack.processes[0], time.monotonic() + 30)
        configs = []
        for name, port in (("config.json", stack.centrifugo_port), ("config-b.json", node_b_port)):
            path = workdir / name
            cfg = write_config(path, centrifugo_port=port, bridge_url=stack.bridge_url,
                               hmac_secret=stack.token_secret, api_key=stack.api_key,
                               proxy_secret=stack.proxy_secret)
            cfg["engine"] = {"type": "redis", "redis": {"address": f"127.0.0.1:{redis_port}"}}
            path.write_text(json.dumps(cfg, indent=2))
            configs.append(path)
        env = {**os.environ, "RPCC_CENTRIFUGO_API_KEY": stack.api_key, "RPCC_PROXY_SECRET": stack.proxy_secret,
               "PYTHONUNBUFFERED": "1"}
        with open(workdir / "bridge.log", "wb") as blog:
            bridge = subprocess.Popen([sys.executable, "-m", "rpcc", "serve", *MODULES, "--host", "127.0.0.1",
                                       "--port", str(stack.bridge_port), "--centrifugo-api", node_b_api,
                                       "-P", str(EXAMPLES)], stdout=blog, stderr=subprocess.STDOUT, env=env,
                                      cwd=workdir, start_new_session=True)
        stack.processes.append(bridge)
        node_a = _start_centrifugo(stack, configs[0], "centrifugo.log")
        stack.processes.append(node_a)
        node_b = _start_centrifugo(stack, configs[1], "centrifugo-b.log")
        stack.processes.append(node_b)
        deadline = time.monotonic() + 60
        _wait_http(f"{stack.bridge_url}/health", bridge, "bridge", deadline, stack)
        _wait_http(f"{stack.centrifugo_http_url}/health", node_a, "centrifugo A", deadline, stack)
        _wait_http(f"http://127.0.0.1:{node_b_port}/health", node_b, "centrifugo B", deadline, stack)
        yield stack, {"RPCC_TWO_NODES": "1", "RPCC_NODE_B_API_URL": node_b_api}
    finally:
        for proc in reversed(stack.processes):
            _stop(proc)
        if not os.environ.get("RPCC_FIXTURE_KEEP"):
            shutil.rmtree(workdir, ignore_errors=True)


class HalfOpenProxy:
    """A loopback TCP proxy to a port that can stop forwarding on its open connections without closing them."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.lock = threading.Lock()
        self.live: list[threading.Event] = []  # one "frozen" flag per open connection pair
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(("127.0.0.1", self.target_port))
            except OSError:
                client.close()
                continue
            frozen = threading.Event()
            with self.lock:
                self.live.append(frozen)
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(source, sink, frozen), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket, frozen: threading.Event) -> None:
        source.settimeout(0.1)
        while not frozen.is_set():
            try:
                data = source.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                data = b""
            if frozen.is_set():
                break
            if not data:
                with contextlib.suppress(OSError):
                    sink.shutdown(socket.SHUT_WR)
                return
            try:
                sink.sendall(data)
            except OSError:
                return
        # Frozen: keep both sockets open and silent (a half-open connection) until the stack stops.
        frozen.wait()

    def freeze(self) -> int:
        with self.lock:
            live, self.live = self.live, []
        for frozen in live:
            frozen.set()
        return len(live)


def _control_server(stack: Stack, centrifugo_index: int) -> http.server.ThreadingHTTPServer:
    lock = threading.Lock()
    proxies: list[HalfOpenProxy] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            try:
                request = json.loads(self.rfile.read(length) or b"{}")
                if self.path == "/restart":
                    with lock:
                        restart_centrifugo(stack, centrifugo_index, request.get("config"))
                    answer: dict = {"restarted": True}
                elif self.path == "/proxy":
                    port = json.loads(Path(stack.processes[centrifugo_index].args[2]).read_text())["http_server"]["port"]
                    proxy = HalfOpenProxy(port)
                    proxies.append(proxy)
                    answer = {"id": len(proxies) - 1, "url": f"ws://127.0.0.1:{proxy.port}/connection/websocket"}
                elif self.path == "/proxy/freeze":
                    answer = {"frozen": proxies[int(request["id"])].freeze()}
                else:
                    self.send_error(404)
                    return
                body, status = json.dumps(answer).encode(), 200
            except Exception as exc:  # noqa: BLE001  (reported to the test)
                body, status = json.dumps({"error": str(exc)}).encode(), 500
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _terminate(signum, frame):  # SIGTERM/SIGHUP -> exception, so the stack is torn down
    raise SystemExit(128 + signum)


def main() -> int:
    p = argparse.ArgumentParser(prog="faultstack.py")
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--two-nodes", action="store_true")
    r.add_argument("command", nargs=argparse.REMAINDER)
    args = p.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGHUP, _terminate)
    try:
        if args.two_nodes:
            ctx = start_two_nodes()
            centrifugo_index = 2
        else:
            ctx = contextlib.nullcontext()
            centrifugo_index = 1
        with contextlib.ExitStack() as contexts:
            two = contexts.enter_context(ctx)
            stack = contexts.enter_context(contextlib.nullcontext(two[0]) if two else start_stack(MODULES))
            control = _control_server(stack, centrifugo_index)
            env = {**os.environ, **stack.env(),
                   "RPCC_CONTROL_URL": f"http://127.0.0.1:{control.server_address[1]}",
                   **(two[1] if two else {})}
            print(f"faultstack: centrifugo {stack.centrifugo_url}, bridge {stack.bridge_url}, dir {stack.workdir}"
                  + (" (two nodes, Redis)" if two else ""), file=sys.stderr)
            proc = subprocess.Popen(command, env=env)
            try:
                status = proc.wait()
            except BaseException:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                raise
            finally:
                control.shutdown()
            if status != 0:
                print(stack.logs(), file=sys.stderr)
            return status
    except StackError as exc:
        print(f"faultstack: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
