#!/bin/sh
# The ready-made build rules, used as a project would use them: sample/ with rpcc.mk (GNU make) and with
# cmake/Rpcc.cmake (CMake with Ninja, and with Unix Makefiles). For each:
#   a first build generates; a second does nothing; a newer imported .rpc regenerates (and rpcc leaves unchanged
#   files alone); an edited import changes the output; a deleted import is rpcc's clear error, not Make's or
#   Ninja's "no rule"; dropping the import and the file together builds again.
# Timestamps move with touch -d and explicit dates, never with sleeps: inputs and the rpcc copy are dated 2020,
# and to "edit an import later" the built files are dated 2021 and the import 2022.
# Usage: tests/integration/run-build.sh RPCC [make|ninja|cmake-make...]     (default: all three)
suite=build
. "$(dirname "$0")/lib.sh"
use_rpcc "$1"
shift
drivers=${*:-make ninja cmake-make}

# The sample is built as its user would build it, not as part of our make: no -s, -j or -k from `make check`.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES

T_SOURCES='2020-01-01 00:00:00' T_BUILT='2021-01-01 00:00:00' T_EDITED='2022-01-01 00:00:00'

# Per driver: the paths of its products, how to build, how to ask whether anything is left to do.
setup() {
    driver=$1 proj="$work/$1"
    cp -R "$here/sample" "$proj"
    touch -d "$T_SOURCES" "$proj"/api/*.rpc
    case $driver in
    make)
        cp "$root/rpcc.mk" "$proj/"
        out="$proj/opensdk/api/tasks" stamp="$proj/opensdk/api/tasks.stamp" depfile="$proj/opensdk/api/tasks.d"
        manifest="$proj/manifest.txt" ran="-MT" consumer="> manifest.txt" ;;
    ninja|cmake-make)
        mkdir -p "$proj/cmake" && cp "$root/cmake/Rpcc.cmake" "$proj/cmake/"
        generator=Ninja; [ "$driver" = cmake-make ] && generator="Unix Makefiles"
        if ! cmake -S "$proj" -B "$proj/build" -G "$generator" -DRPCC_EXECUTABLE="$rpcc" >"$work/configure.log" 2>&1
        then fail "$driver: cmake configures" "$(tail -20 "$work/configure.log")"; return 1; fi
        out="$proj/build/opensdk" stamp="$proj/build/opensdk.stamp" depfile="$proj/build/opensdk.d"
        manifest="$proj/build/manifest.txt" ran="rpcc: generating" consumer="manifest of the generated SDK" ;;
    esac
}
build() {
    case $driver in
    make) make -C "$proj" RPCC="$rpcc" >"$work/build.log" 2>&1 ;;
    ninja) ninja -C "$proj/build" >"$work/build.log" 2>&1 ;;
    cmake-make) make -C "$proj/build" >"$work/build.log" 2>&1 ;;
    esac
}
# Prints nothing when the build system has nothing to do, else what it would do.
pending() {
    case $driver in
    make) make -q -C "$proj" RPCC="$rpcc" >/dev/null 2>&1 || echo "make -q: out of date" ;;
    ninja) ninja -C "$proj/build" -n -d explain 2>&1 | grep -v -e '^ninja: Entering' -e '^ninja: no work to do.$' ;;
    cmake-make) ;; # CMake's recursive Makefiles cannot answer make -q; the next build's log tells instead
    esac
}
snapshot() { find "$out" -type f -printf '%P %T@\n' | LC_ALL=C sort; printf 'manifest.txt %s\n' "$(stat -c %.9Y "$manifest")"; }
# "The import was edited after the last build", with explicit dates.
edited_later() {
    find "$out" "$stamp" "$manifest" -exec touch -h -d "$T_BUILT" {} +
    # Ninja's log remembers the mtimes it saw (restat): let it see the dates just set.
    [ "$driver" = ninja ] && ninja -C "$proj/build" -t restat >/dev/null
    touch -d "$T_EDITED" "$@"
}

scenario() {
    setup "$1" || return
    d=$driver

    build; status=$?
    expect_eq "$d: first build succeeds" "0" "$status$( [ $status = 0 ] || tail -20 "$work/build.log")"
    expect_contains "$d: first build runs rpcc" "$ran" "$work/build.log"
    listed=$(cd "$proj" && "$rpcc" api/tasks.rpc --list-outputs --lang python,go -o "$out" | while read -r f; do
        [ -f "$f" ] || echo "missing $f"; done)
    expect_eq "$d: every file of --list-outputs was generated" "" "$listed"
    expect_eq "$d: the depfile names the import" "yes" "$(grep -q 'api/common.rpc' "$depfile" && echo yes)"
    # The licence and the Go options, each set the way the rules document (issue 17).
    expect_contains "$d: the licence reaches pyproject.toml" 'license = "Apache-2.0 OR MIT"' "$out/python/pyproject.toml"
    expect_contains "$d: the Go module path reaches go.mod" "module example.com/sample/tasks" "$out/go/go.mod"
    expect_contains "$d: the nhooyr WebSocket module was chosen" "nhooyr.io/websocket" "$out/go/go.mod"

    before=$(snapshot)
    expect_eq "$d: after a build nothing is pending" "" "$(pending)"
    build
    expect_lacks "$d: a second build does not run rpcc" "$ran" "$work/build.log"
    expect_lacks "$d: a second build does not rebuild what uses the SDK" "$consumer" "$work/build.log"
    expect_eq "$d: a second build changes no file" "$before" "$(snapshot)"

    edited_later "$proj/api/common.rpc"
    [ "$d" != cmake-make ] && expect_eq "$d: a newer import is noticed" "yes" "$([ -n "$(pending)" ] && echo yes)"
    before=$(snapshot)
    build
    expect_contains "$d: a newer import reruns rpcc" "$ran" "$work/build.log"
    # rpcc rewrote nothing (same content); Ninja (restat) then skips the consumer, Make cannot know. CMake's
    # Makefile generator touches every output of a command after it ran (touch_nocreate): not rpcc's to change.
    [ "$d" != cmake-make ] && expect_eq "$d: unchanged outputs keep their mtimes" \
        "$(echo "$before" | grep -v manifest.txt)" "$(snapshot | grep -v manifest.txt)"
    [ "$d" = ninja ] && expect_lacks "ninja: restat: unchanged outputs rebuild nothing downstream" "$consumer" \
        "$work/build.log"
    expect_eq "$d: then nothing is pending" "" "$(pending)"

    sed -i 's/total: int;/total: int;\n    pages: int;/' "$proj/api/common.rpc"
    edited_later "$proj/api/common.rpc"
    build; status=$?
    expect_eq "$d: an edited import regenerates" "0" "$status"
    expect_contains "$d: ... and the output has the change" "pages: int" "$out/python/models.py"
    expect_contains "$d: ... and what uses the SDK is rebuilt" "$consumer" "$work/build.log"

    before=$(snapshot)
    mv "$proj/api/common.rpc" "$work/common.rpc.deleted"
    build; status=$?
    expect_eq "$d: a deleted import fails the build" "yes" "$([ "$status" != 0 ] && echo yes)"
    expect_contains "$d: ... with rpcc's diagnostic" "api/tasks.rpc:2:8: error: cannot find imported file 'common.rpc'" \
        "$work/build.log"
    expect_lacks "$d: ... not make's 'No rule'" "No rule to make target" "$work/build.log"
    expect_lacks "$d: ... not ninja's 'missing'" "missing and no known rule" "$work/build.log"
    expect_eq "$d: ... and the generated files stay as they were" "$before" "$(snapshot)"

    # The import and the file go away together (Page moves into tasks.rpc): the old depfile must not block this.
    { sed '/^import/d' "$proj/api/tasks.rpc"; sed '/^\/\//d' "$work/common.rpc.deleted"; } >"$work/tasks.rpc"
    cp "$work/tasks.rpc" "$proj/api/tasks.rpc"
    edited_later "$proj/api/tasks.rpc"
    build; status=$?
    expect_eq "$d: without the import it builds again" "0" "$status$( [ $status = 0 ] || tail -20 "$work/build.log")"
    expect_eq "$d: ... and the depfile forgets it" "" "$(grep 'common.rpc' "$depfile")"
    # CMake 3.25's Makefile generator merges a re-read depfile into its cached dependencies instead of replacing
    # them: the deleted import stays a (phony) prerequisite there and rpcc reruns on every build. Ninja and Make
    # read the depfile afresh.
    if [ "$d" != cmake-make ]; then
        build
        expect_lacks "$d: ... and the next build does nothing" "$ran" "$work/build.log"
    fi
}

for driver_name in $drivers; do scenario "$driver_name"; done
finish
