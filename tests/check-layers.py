#!/usr/bin/env python3
"""The include graph of rpcc's C sources: no file includes (directly or not) a file of a higher layer, and no
include loops. Layers, bottom up: support/ (knows nothing of the IDL), frontend/, ir/, backends/, cli/.
Prints every violation and exits 1 if there is one."""
import os
import re
import sys

LAYERS = ["support", "frontend", "ir", "backends", "cli"]
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def sources():
    for layer in LAYERS:
        for name in sorted(os.listdir(os.path.join(ROOT, layer))):
            if name.endswith((".c", ".h")):
                yield f"{layer}/{name}"


def includes(path):
    """The project files `path` includes, as paths relative to the root (generated headers are skipped)."""
    with open(os.path.join(ROOT, path), encoding="utf-8") as source:
        text = source.read()
    found = []
    for name in INCLUDE.findall(text):
        for candidate in (os.path.normpath(os.path.join(os.path.dirname(path), name)), os.path.normpath(name)):
            if os.path.isfile(os.path.join(ROOT, candidate)) and candidate.split("/")[0] in LAYERS:
                found.append(candidate)
                break
    return found


def main():
    graph = {path: includes(path) for path in sources()}
    problems = []
    for path, targets in graph.items():
        level = LAYERS.index(path.split("/")[0])
        for target in targets:
            if LAYERS.index(target.split("/")[0]) > level:
                problems.append(f"{path} includes {target}, a higher layer")
    # Include loops: a depth-first search over the headers.
    state = {}

    def visit(node, stack):
        state[node] = "open"
        for target in graph.get(node, []):
            if state.get(target) == "open":
                problems.append("include loop: " + " -> ".join(stack[stack.index(target):] + [target]))
            elif target not in state:
                visit(target, stack + [target])
        state[node] = "done"

    for node in graph:
        if node not in state:
            visit(node, [node])
    for problem in problems:
        print(f"check-layers: {problem}")
    if not problems:
        print(f"check-layers: {len(graph)} files, layers {' < '.join(LAYERS)}, no loop")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
