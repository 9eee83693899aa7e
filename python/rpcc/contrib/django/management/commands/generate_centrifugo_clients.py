"""``python manage.py generate_centrifugo_clients --output ./opensdk --all``: export the handlers to .rpc and run
rpcc on it, in one step. Any failure (import, export, rpcc) is a non-zero exit with the message."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from rpcc.cli import write_if_changed
from rpcc.exporter import ExportError, export_modules
from rpcc.contrib.django.bridge import all_handler_modules

LANGUAGES = ("python", "typescript", "go")


def find_rpcc(explicit: str | None) -> str:
    """--rpcc, settings.RPCC_BINARY, $RPCC, `rpcc` on PATH, then ./build/rpcc."""
    for candidate in (explicit, getattr(settings, "RPCC_BINARY", None), os.environ.get("RPCC")):
        if candidate:
            if not (os.path.isfile(candidate) and os.access(candidate, os.X_OK)):
                raise CommandError(f"rpcc compiler {candidate!r} is not an executable file")
            return candidate
    on_path = shutil.which("rpcc")
    if on_path:
        return on_path
    local = Path("build") / "rpcc"
    if local.is_file() and os.access(local, os.X_OK):
        return str(local.resolve())
    raise CommandError("rpcc compiler not found: set RPCC (or settings.RPCC_BINARY), put rpcc on PATH, "
                       "or build it (make build/rpcc)")


class Command(BaseCommand):
    help = "Export the @websocket_rpc handlers to a .rpc file and generate the typed clients with rpcc."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", default="./opensdk", help="output directory for the clients")
        parser.add_argument("--all", action="store_true",
                            help="all handlers: RPCC_HANDLER_MODULES, every app's rpc_handlers module, and the handlers "
                                 "an installed app registered when Django started")
        parser.add_argument("--module", "-m", action="append", default=[],
                            help="export only these handler modules (repeatable)")
        parser.add_argument("--rpc-file", help="also keep the exported .rpc file at this path")
        parser.add_argument("--rpcc", help="path of the rpcc compiler")
        parser.add_argument("--lang", help="rpcc --lang: targets, comma-separated (default: all)")
        # The per-language flags of the command this one replaces; an explicit --python also keeps argparse from
        # taking it for an abbreviation of Django's --pythonpath.
        for lang in LANGUAGES:
            parser.add_argument(f"--{lang}", action="store_true",
                                help=f"generate the {lang} client (several may be given; default: every language)")
        parser.add_argument("--package-name", help="rpcc --package-name (default: api)")
        parser.add_argument("--license", help="rpcc --license: the SPDX licence of the generated packages, such as "
                                              "MIT (default: none)")
        parser.add_argument("--go-module", help="rpcc --go-module: the Go module path (default: the package name)")
        parser.add_argument("--go-websocket", choices=["coder", "nhooyr"],
                            help="rpcc --go-websocket: the Go client's WebSocket module (default: coder)")
        # The replaced command's verbose=False (call_command) and --no-verbose; the same as -v 0.
        parser.add_argument("--verbose", action=argparse.BooleanOptionalAction, default=None,
                            help="--no-verbose prints nothing on success, like -v 0")

    def handle(self, *args, **opts):
        quiet = opts["verbosity"] == 0 or opts["verbose"] is False
        chosen = [lang for lang in LANGUAGES if opts[lang]]
        if chosen and opts["lang"]:
            raise CommandError("give either --lang or --python/--typescript/--go, not both")
        if opts["all"] and opts["module"]:
            raise CommandError("give either --all or --module, not both")
        if not opts["all"] and not opts["module"]:
            raise CommandError("give --all or one or more --module MODULE")
        if opts["all"]:
            modules = all_handler_modules()
        else:
            modules = opts["module"]
        if not modules:
            raise CommandError("no handler modules: set RPCC_HANDLER_MODULES, add rpc_handlers.py to an app, or "
                               "register the handlers when Django starts (an AppConfig.ready() importing them)")
        rpcc = find_rpcc(opts["rpcc"])
        # The same export as `python -m rpcc export`: only the command named in the file's header differs. The
        # command compiles the text with its own rpcc next and reports what that says, so the export skips its check.
        try:
            text = export_modules(modules, command="manage.py generate_centrifugo_clients", check=False)
        except ExportError as exc:
            raise CommandError("cannot export the handlers:\n" + "\n".join(f"  {e}" for e in exc.errors)) from exc
        except Exception as exc:  # a handler module that fails to import or to register
            raise CommandError(f"cannot load the handlers: {exc}") from exc
        methods = sum(line.startswith("rpc ") for line in text.splitlines())  # one line per rpc declaration
        with tempfile.TemporaryDirectory(prefix="rpcc-") as tmp:
            rpc_path = Path(tmp) / "api.rpc"
            rpc_path.write_text(text, encoding="utf-8")
            try:
                cmd = [rpcc, str(rpc_path), "-o", opts["output"]]
                if opts["lang"] or chosen:
                    cmd += ["--lang", opts["lang"] or ",".join(chosen)]
                for option in ("package_name", "license", "go_module"):
                    if opts[option]:
                        cmd += ["--" + option.replace("_", "-"), opts[option]]
                if opts["go_websocket"]:
                    cmd += [f"--go-websocket={opts['go_websocket']}"]
                res = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
            except OSError as exc:
                raise CommandError(f"cannot run {rpcc}: {exc}") from exc
            except subprocess.TimeoutExpired as exc:
                raise CommandError(f"{rpcc} did not finish in time") from exc
            if res.stdout and not quiet:
                self.stdout.write(res.stdout.rstrip("\n"))
            if res.returncode != 0:
                raise CommandError(f"rpcc failed (exit {res.returncode}):\n{res.stderr.strip() or res.stdout.strip()}")
        if opts["rpc_file"]:
            write_if_changed(opts["rpc_file"], text)
        if not quiet:
            self.stdout.write(f"generated clients for {methods} methods in {opts['output']}")
