#!/bin/sh
# `make check` leaves the tree as it found it: no file that git would show as untracked (not ignored) appears during
# the run. The Makefile writes the list before the run (build/untracked-before-check.txt); this compares.
# Usage: tests/check-clean-tree.sh BEFORE-LIST
set -u
before=$1
[ -f "$before" ] || { echo "check-clean-tree: no list of untracked files from before the run ($before)"; exit 1; }
command -v git >/dev/null && git rev-parse --is-inside-work-tree >/dev/null 2>&1 || {
    echo "check-clean-tree: not a git checkout; skipped"; exit 0; }
after=$(mktemp) && trap 'rm -f "$after"' EXIT
git ls-files --others --exclude-standard | LC_ALL=C sort >"$after"
new=$(LC_ALL=C comm -13 "$before" "$after")
if [ -n "$new" ]; then
    echo "check-clean-tree: make check left files that are neither committed nor ignored:"
    echo "$new" | sed 's/^/  /'
    exit 1
fi
echo "check-clean-tree: the run left no untracked file"
