#!/bin/sh
# Bad input of any kind gets a diagnostic and exit status 1 or 2: never a crash (a signal, or a sanitizer's
# report), never a hang. Inputs are made here, so nothing large is committed.
# Usage: tests/run-robustness.sh RPCC
set -u
rpcc=$1
work=$(mktemp -d) && trap 'rm -rf "$work"' EXIT
passed=0 failed=0

# check NAME EXPECTED-STATUSES FILE [ARGS...]: runs rpcc --check on FILE with a time limit
check() {
    name=$1 allowed=$2 file=$3
    shift 3
    timeout 60 "$rpcc" --check "$@" "$file" >"$work/out" 2>"$work/err"
    status=$?
    case " $allowed " in
    *" $status "*)
        if grep -q "Sanitizer\|runtime error" "$work/err"; then
            echo "FAIL $name: sanitizer report"; head -20 "$work/err"; failed=$((failed + 1))
        elif [ "$status" != 0 ] && [ ! -s "$work/err" ]; then
            echo "FAIL $name: exit $status without a diagnostic"; failed=$((failed + 1))
        else
            passed=$((passed + 1))
        fi ;;
    *) echo "FAIL $name: exit status $status, expected one of: $allowed"; head -5 "$work/err"; failed=$((failed + 1)) ;;
    esac
}

: > "$work/empty.rpc"
check "empty file" "0" "$work/empty.rpc"
check "missing file" "2" "$work/does-not-exist.rpc"
check "a directory" "2" "$work"

head -c 200000 /dev/urandom > "$work/random.rpc"
check "random bytes" "1" "$work/random.rpc"

# printable garbage: many errors, capped by --max-errors, and then all of them with --max-errors=0
head -c 300000 /dev/urandom | tr -c 'a-zA-Z0-9{}()<>;:=?|.@, \n"/*-' 'x' > "$work/garbage.rpc"
check "printable garbage" "1" "$work/garbage.rpc"
check "printable garbage, no error limit" "1" "$work/garbage.rpc" --max-errors=0

printf 'model A { x: "caf\351"; }\n' > "$work/latin1.rpc"
check "invalid UTF-8" "1" "$work/latin1.rpc"
printf 'model A { }\n\000\000' > "$work/nul.rpc"
check "NUL bytes" "1" "$work/nul.rpc"

# a 10 MB line
{ printf 'model A { x: int; }'; head -c 10485760 /dev/zero | tr '\0' ' '; printf 'oops\n'; } > "$work/long-line.rpc"
check "10 MB line" "1" "$work/long-line.rpc"
{ printf 'model A { x: string = "'; head -c 10485760 /dev/zero | tr '\0' 'a'; printf '"; }\n'; } > "$work/long-string.rpc"
check "10 MB string literal" "0" "$work/long-string.rpc"

# deep nesting of types, values, unions and comments
awk 'BEGIN { printf "model A { x: "; for (i = 0; i < 100000; i++) printf "list<"; printf "int";
             for (i = 0; i < 100000; i++) printf ">"; print "; }" }' > "$work/deep-type.rpc"
check "deeply nested type" "1" "$work/deep-type.rpc"
awk 'BEGIN { printf "model A { x: any = "; for (i = 0; i < 100000; i++) printf "["; for (i = 0; i < 100000; i++) printf "]";
             print "; }" }' > "$work/deep-value.rpc"
check "deeply nested value" "1" "$work/deep-value.rpc"
awk 'BEGIN { printf "model A { x: any = "; for (i = 0; i < 100000; i++) printf "{\"k\": "; printf "1";
             for (i = 0; i < 100000; i++) printf "}"; print "; }" }' > "$work/deep-object.rpc"
check "deeply nested object" "1" "$work/deep-object.rpc"
awk 'BEGIN { printf "model A { x: int"; for (i = 0; i < 100000; i++) printf " | string"; print "; }" }' > "$work/wide-union.rpc"
check "a union of 100000 alternatives" "1" "$work/wide-union.rpc"
awk 'BEGIN { for (i = 0; i < 20000; i++) printf "model M%d { next: M%d | null; }\n", i, i + 1; print "model M20000 { }" }' \
    > "$work/long-chain.rpc"
check "a chain of 20000 models" "0" "$work/long-chain.rpc"
awk 'BEGIN { for (i = 0; i < 5000; i++) printf "model M%d { next: M%d; }\n", i, (i + 1) % 5000 }' > "$work/long-cycle.rpc"
check "an unbuildable cycle of 5000 models" "1" "$work/long-cycle.rpc"

# Alias and union cycles are found exactly at any length and in linear time (issue 22: a depth bound of 200 accepted
# longer cycles, and a diamond of unions took exponential time). check_says also wants the diagnostic's text.
check_says() {
    needle=$1
    shift
    check "$@"
    grep -q "$needle" "$work/err" || { echo "FAIL $1: no diagnostic says: $needle"; failed=$((failed + 1)); }
}
awk 'BEGIN { for (i = 0; i < 202; i++) printf "type A%d = A%d;\n", i, (i + 1) % 202 }' > "$work/alias-cycle.rpc"
check_says "type alias 'A0' refers to itself" "an alias cycle of 202" "1" "$work/alias-cycle.rpc"
awk 'BEGIN { for (i = 0; i < 101; i++) printf "type A%d = list<A%d>;\n", i, (i + 1) % 101 }' > "$work/list-cycle.rpc"
check_says "type alias 'A0' refers to itself" "an alias cycle of 101 through list<>" "1" "$work/list-cycle.rpc"
awk 'BEGIN { print "model M { }"; for (i = 0; i < 20000; i++) printf "union U%d = M | map<string, U%d>;\n", i, (i + 1) % 20000 }' \
    > "$work/union-cycle.rpc"
check_says "union 'U0' refers to itself here" "a union cycle of 20000" "1" "$work/union-cycle.rpc"
awk 'BEGIN { print "model M { }"; print "union U0 = M | int;";
             for (i = 0; i < 60; i++) printf "union U%d = list<U%d> | map<string, U%d>;\n", i + 1, i, i }' > "$work/union-diamond.rpc"
check "60 levels of unions that each mention the previous twice" "0" "$work/union-diamond.rpc"
awk 'BEGIN { for (i = 0; i < 20000; i++) printf "type A%d = A%d;\n", i, i + 1; print "type A20000 = int | null;";
             print "model M { x: A0 = 1; y: map<string, A0>; z: A0 = null; }" }' > "$work/alias-chain.rpc"
check "a chain of 20000 aliases" "0" "$work/alias-chain.rpc"

# an import of itself, an import of a directory, an import of a binary file
printf 'import "self.rpc";\nmodel A { }\n' > "$work/self.rpc"
check "a file importing itself" "1" "$work/self.rpc"
mkdir -p "$work/dir.rpc"
printf 'import "dir.rpc";\n' > "$work/import-dir.rpc"
check "an import of a directory" "1" "$work/import-dir.rpc"
printf 'import "random.rpc";\n' > "$work/import-binary.rpc"
check "an import of a binary file" "1" "$work/import-binary.rpc"

# truncations of a valid file at every byte: parse errors, never crashes
example=$(dirname "$0")/../spec/examples/tasks.rpc
size=$(wc -c < "$example")
i=0
truncation_failures=0
while [ $i -lt "$size" ]; do
    head -c $i "$example" > "$work/truncated.rpc"
    timeout 20 "$rpcc" --check "$work/truncated.rpc" >/dev/null 2>"$work/err"
    status=$?
    if [ $status -gt 1 ] || grep -q "Sanitizer\|runtime error" "$work/err"; then
        echo "FAIL truncation at byte $i: exit $status"; head -5 "$work/err"; truncation_failures=$((truncation_failures + 1))
    fi
    i=$((i + 7))
done
if [ $truncation_failures = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi

echo "robustness: $passed passed, $failed failed"
[ "$failed" = 0 ]
