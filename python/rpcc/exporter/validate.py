"""The exported text checked by the compiler's own rules: `rpcc --check`, when the binary can be found.

The exporter writes what it knows rpcc accepts (free names for inline unions and enum members, names that stay
distinct in every language); this check is the backstop, so that an export is never written that rpcc would then
refuse. Each rpcc diagnostic is reported with the Python class and field its line came from.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable

__all__ = ["rpcc_binary", "rpcc_problems"]

_DIAG = re.compile(r"^[^:\n]+:(\d+):(\d+): error: (.*)$")
_DECL = re.compile(r"^(?:model|enum|union|type)\s+([A-Za-z][A-Za-z0-9_]*)")
_FIELD = re.compile(r"^\s+([A-Za-z][A-Za-z0-9_]*)\??\s*[:=]")


def rpcc_binary() -> str | None:
    """The compiler to check with: $RPCC (a path), else `rpcc` on PATH; None when there is none."""
    path = os.environ.get("RPCC")
    if path and os.path.isfile(path) and os.access(path, os.X_OK):
        return path
    return shutil.which("rpcc")


def rpcc_problems(text: str, origin: Callable[[str], str], binary: str | None = None) -> list[str]:
    """rpcc's errors on ``text``, each with the Python place it came from (``origin(declaration name)``); [] when
    rpcc accepts it or cannot be found."""
    binary = binary or rpcc_binary()
    if binary is None:
        return []
    try:
        res = subprocess.run([binary, "--check", "--max-errors", "0", "--color=never", "--stdin-filename",
                              "exported.rpc"], input=text, capture_output=True, text=True, timeout=300, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        return [f"rpcc --check could not run ({binary}): {exc}"]
    if res.returncode == 0:
        return []
    lines = text.splitlines()
    problems = []
    for diag in res.stderr.splitlines():
        m = _DIAG.match(diag)
        if not m:
            continue
        line_no = int(m.group(1))
        decl = field = None
        for i in range(min(line_no, len(lines)) - 1, -1, -1):
            d = _DECL.match(lines[i])
            if d:
                decl = d.group(1)
                break
            f = _FIELD.match(lines[i]) if field is None and i == line_no - 1 else None
            if f:
                field = f.group(1)
        place = origin(decl) if decl else "the rpc declarations"
        if field:
            place += f", field {field}"
        problems.append(f"{place}: rpcc refuses the exported IDL: {m.group(3)} (exported line {line_no}: "
                        f"`{lines[line_no - 1].strip() if 0 < line_no <= len(lines) else ''}`)")
    return problems or [f"rpcc --check refuses the exported IDL: {res.stderr.strip()}"]
