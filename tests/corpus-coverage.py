#!/usr/bin/env python3
"""Every diagnostic the compiler can emit has at least one case in the error corpus (tests/errors/*.err).

Reads each diag_error / diag_warning / diag_note call in the C sources, turns its format string into a regular
expression (each %-conversion matches anything), and looks for a line of some .err file that it matches.
Exit status 1 lists the messages without a case."""
import pathlib
import re
import sys

top = pathlib.Path(__file__).resolve().parent.parent
sources = [p for d in ("frontend", "ir", "grammar") for p in sorted((top / d).glob("*.[cyr]*")) if p.suffix in (".c", ".y", ".re")]
call = re.compile(r'diag_(error|warning|note)\s*\((?:[^;]*?),\s*((?:"(?:[^"\\]|\\.)*"\s*)+)', re.S)
conversion = re.compile(r"%(?:\.\*)?[-0-9]*(?:zu|llu|lld|lu|ld|[sdiuxXc]|02X|04X|04lX)")

corpus = []
for err in sorted((top / "tests" / "errors").glob("*.err")):
    corpus += [line for line in err.read_text(errors="replace").splitlines() if ": error: " in line or ": warning: " in line or ": note: " in line or line.startswith("rpcc: ")]

missing = []
count = 0
for source in sources:
    text = source.read_text()
    for match in call.finditer(text):
        pieces = re.findall(r'"((?:[^"\\]|\\.)*)"', match.group(2))
        fmt = "".join(pieces)
        fmt = bytes(fmt, "utf-8").decode("unicode_escape")
        count += 1
        parts = conversion.split(fmt)
        pattern = ".*".join(re.escape(p.replace("%%", "%")) for p in parts)
        severity = match.group(1)
        regex = re.compile(r"(: %s: |^rpcc: %s: )%s" % (severity, severity, pattern))
        if not any(regex.search(line) for line in corpus):
            line_number = text[: match.start()].count("\n") + 1
            missing.append(f"{source.relative_to(top)}:{line_number}: {severity}: {fmt}")

for item in missing:
    print("no corpus case for", item)
print(f"corpus coverage: {count - len(missing)} passed, {len(missing)} failed")
sys.exit(1 if missing else 0)
