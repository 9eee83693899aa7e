# Shared by the integration scripts: a scratch directory removed on exit, and counted checks.
# A script sources it after setting `suite`, calls ok/fail/expect_*, and ends with `finish`.
set -u
passed=0 failed=0
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/rpcc-integration.XXXXXX")
trap 'rm -rf "$work"' EXIT

ok() { passed=$((passed + 1)); [ -n "${TEST_VERBOSE:-}" ] && echo "ok   $1"; return 0; }
fail() { failed=$((failed + 1)); echo "FAIL $suite: $1"; shift; for line in "$@"; do printf '     %s\n' "$line"; done; }

# expect_eq NAME EXPECTED ACTUAL
expect_eq() {
    if [ "$2" = "$3" ]; then ok "$1"; else
        fail "$1" "expected:" "$(printf '%s' "$2" | sed 's/^/  /')" "actual:" "$(printf '%s' "$3" | sed 's/^/  /')"
    fi
}
# expect_status NAME EXPECTED COMMAND...: the command's exit status
expect_status() {
    name=$1 expected=$2; shift 2
    "$@" >"$work/.out" 2>&1
    status=$?
    if [ "$status" = "$expected" ]; then ok "$name"; else
        fail "$name" "exit status $status, expected $expected: $*" "$(head -20 "$work/.out")"
    fi
}
# expect_contains NAME NEEDLE FILE / expect_lacks NAME NEEDLE FILE (fixed strings)
expect_contains() {
    if grep -qF -- "$2" "$3"; then ok "$1"; else fail "$1" "'$2' not in:" "$(head -20 "$3")"; fi
}
expect_lacks() {
    if grep -qF -- "$2" "$3"; then fail "$1" "'$2' unexpectedly in:" "$(head -20 "$3")"; else ok "$1"; fi
}

finish() {
    echo "$suite: $passed passed, $failed failed"
    [ "$failed" = 0 ]
}

# The rpcc under test, as an absolute path, copied into the scratch directory with an old mtime: the builds list
# rpcc as a prerequisite, and the freshly built one would be newer than the explicit times the tests set.
use_rpcc() {
    case $1 in /*) source_rpcc=$1 ;; *) source_rpcc=$(pwd)/$1 ;; esac
    mkdir -p "$work/bin"
    cp "$source_rpcc" "$work/bin/rpcc"
    touch -d '2020-01-01 00:00:00' "$work/bin/rpcc"
    rpcc=$work/bin/rpcc
}
