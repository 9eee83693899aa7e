#!/bin/sh
# The one place that installs Debian packages (mk/deps.mk runs it; see there for how targets use it).
#   tools/debian-deps.sh [--dry-run] SET...   install the packages of each SET that are missing
# A package counts as present when its probe (a shell condition: the command or file it provides) succeeds, so on a
# machine that has everything nothing runs; otherwise apt-get installs the missing ones (as root, noninteractive).
# --dry-run prints what would be installed and installs nothing.
set -eu

dry_run=0
if [ "${1:-}" = --dry-run ]; then dry_run=1; shift; fi
[ $# -gt 0 ] || { echo "usage: $0 [--dry-run] SET..." >&2; exit 2; }

missing=""
no_recommends=0

# want PACKAGE PROBE: PACKAGE is needed unless PROBE succeeds.
want() {
    if ! sh -c "$2" >/dev/null 2>&1; then
        case " $missing " in *" $1 "*) ;; *) missing="$missing $1" ;; esac
    fi
}

go_probe='PATH="$PATH:/usr/local/go/bin" command -v go'

for set in "$@"; do
    case $set in
    # the compiler's build and unit tests
    build)
        want re2c 'command -v re2c'
        want lemon 'command -v lemon'
        want libcmocka-dev '[ -f /usr/include/cmocka.h ]' ;;
    # the venv of the Python package and its tests
    python)
        want python3 'command -v python3'
        want python3-venv 'python3 -c "import ensurepip, venv"' ;;
    # Go, unless there is one already (the official tarball's /usr/local/go counts); Centrifugo is built with it
    go)
        want golang-go "$go_probe" ;;
    # Node.js and npm for the TypeScript checks, the web example and the bundle benchmark (version checked there)
    node)
        want nodejs 'command -v node'
        want npm 'command -v npm' ;;
    # the browser of check-browser: Debian's, never one that a test tool downloads
    chromium)
        want chromium '[ -x /usr/bin/chromium ]' ;;
    # the libFuzzer targets: clang, and its runtime with libFuzzer and the sanitizers (probe: link a fuzz target)
    fuzz)
        want clang 'command -v clang'
        want libclang-rt-dev "printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; return (int)n * 0; }\\n' | clang -fsanitize=fuzzer,address,undefined -x c - -o /dev/null" ;;
    # the two-node conformance test's Redis engine
    redis)
        want redis-server 'command -v redis-server' ;;
    # the code-generation benchmark's tools and the profiler
    bench)
        want protobuf-compiler 'command -v protoc'
        want flatbuffers-compiler 'command -v flatc'
        want thrift-compiler 'command -v thrift'
        want valgrind 'command -v valgrind && command -v callgrind_annotate' ;;
    # the editors and build systems of check-integration (no recommends: emacs would pull in a desktop)
    integration)
        want vim-nox 'vim --version | grep -q "+quickfix" && vim --version | grep -q "+eval"'
        want emacs-nox 'command -v emacs'
        want nodejs 'command -v node'
        want cmake 'command -v cmake'
        want ninja-build 'command -v ninja'
        no_recommends=1 ;;
    *)
        echo "$0: unknown package set '$set'" >&2
        exit 2 ;;
    esac
done

[ -n "$missing" ] || exit 0
options="-y -qq -o DPkg::Lock::Timeout=600"
[ $no_recommends = 0 ] || options="$options --no-install-recommends"
if [ $dry_run = 1 ]; then
    echo "would install:$missing"
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "$0: missing Debian packages:$missing; install them as root: apt-get install$missing" >&2
    exit 1
fi
echo "installing$missing"
# Parallel make may install two sets at once: one apt-get at a time.
mkdir -p .cache/deps
flock .cache/deps/apt.lock sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install $options$missing >/dev/null"
