#!/bin/sh
# The command-line features build systems and editors rely on: depfiles (-MD -MF -MT -MP), --list-outputs,
# --stdin-filename, and the JSON "fixes" of did-you-mean diagnostics (applied with cli/apply-fixes.js).
# Usage: tests/integration/run-cli.sh RPCC        (TEST_VERBOSE=1 names every passing check)
suite=cli
. "$(dirname "$0")/lib.sh"
use_rpcc "$1"

# The inputs live under a directory with a space, so that escaping is exercised everywhere.
project="$work/my api"
mkdir -p "$project/sub"
cp "$here/cli/main.rpc" "$here/cli/common.rpc" "$here/cli/typos.rpc" "$project/"
cp "$here/cli/sub/deep.rpc" "$project/sub/"
cd "$work" || exit 2

# --- depfiles ------------------------------------------------------------------------------------------------
"$rpcc" "my api/main.rpc" -o "out dir" --lang go,python -MD -MP
expect_eq "depfile run succeeds" 0 $?
{
    "$rpcc" "my api/main.rpc" -o "out dir" --lang go,python --list-outputs | sed 's/ /\\ /g' |
        sed '$!s/$/ \\/; $s/$/: \\/; 2,$s/^/ /'
    printf ' my\\ api/main.rpc \\\n my\\ api/sub/deep.rpc \\\n my\\ api/common.rpc \\\n %s\n' "$rpcc"
    printf '\nmy\\ api/sub/deep.rpc:\n\nmy\\ api/common.rpc:\n\n%s:\n' "$rpcc"
} >expected.d
if cmp -s expected.d "out dir.d"; then ok "depfile: DIR.d, outputs as targets, imports, rpcc, -MP, escaping"
else fail "depfile: DIR.d, outputs as targets, imports, rpcc, -MP, escaping" "$(diff -u expected.d "out dir.d")"; fi
expect_eq "depfile ends with a newline" "" "$(tail -c 1 "out dir.d")"
expect_lacks "depfile lists only the selected languages" "typescript" "out dir.d"
# Each target is a file the run wrote.
missing=$(sed -n 's/\\ /\x01/g; /^ *\(out\x01dir\/[^ ]*\).*/{s//\1/; s/:$//; s/\x01/ /g; p}' "out dir.d" |
    while read -r target; do [ -f "$target" ] || echo "$target"; done)
expect_eq "every depfile target was written" "" "$missing"

# make reads it as intended: one rule whose prerequisites are the inputs and rpcc (make -p prints its database).
printf 'include out\\ dir.d\n' >probe.mk
expect_eq "make parses the depfile's escaped paths" "out dir/go/types.go: my api/main.rpc my api/sub/deep.rpc my api/common.rpc $rpcc" \
    "$(make -s -p -q -f probe.mk 2>/dev/null | grep -F 'out dir/go/types.go:')"

"$rpcc" "my api/main.rpc" -o out/ --lang go -MD
expect_eq "-o DIR/ gives DIR.d" "yes" "$([ -f out.d ] && echo yes)"
expect_contains "-o DIR/ names targets without a double slash" "out/go/client.go \\" out.d
expect_lacks "no -MP, no phony rules" "deep.rpc:" out.d

"$rpcc" "my api/main.rpc" -o out --lang go -MF deps/custom.d -MT 'stamp one' -MT 'a$b#c' 2>err.txt
expect_eq "-MF into a missing directory fails cleanly" 2 $?
mkdir -p deps
"$rpcc" "my api/main.rpc" -o out --lang go -MF deps/custom.d -MT 'stamp one' -MT 'a$b#c'
expect_eq "several -MT: one rule, quoted like gcc's -MQ" 'stamp\ one a$$b\#c: \' "$(head -1 deps/custom.d)"

"$rpcc" --check "my api/main.rpc" -MF check.d -MT check.stamp
expect_eq "--check with -MF and -MT writes a depfile" "check.stamp: \\" "$(head -1 check.d 2>/dev/null)"
expect_status "--check -MD without -MT is a usage error" 2 "$rpcc" --check "my api/main.rpc" -MD
expect_contains "... saying what to give" "needs -MT TARGET and -MF FILE" "$work/.out"
expect_status "-MD without -o or -MT is a usage error" 2 "$rpcc" --dump-ir "my api/main.rpc" -MD

cp "out dir.d" before.d
sed 's/n: int;/n: nt;/' "my api/sub/deep.rpc" >broken.rpc && cp "my api/sub/deep.rpc" deep.good && cp broken.rpc "my api/sub/deep.rpc"
expect_status "an input error exits 1" 1 "$rpcc" "my api/main.rpc" -o "out dir" --lang go,python -MD -MP
expect_eq "a failed run leaves the depfile as it was" "" "$(cmp before.d "out dir.d" 2>&1)"
cp deep.good "my api/sub/deep.rpc"

# --- --list-outputs ------------------------------------------------------------------------------------------
"$rpcc" "my api/main.rpc" --list-outputs -o never --lang typescript -MD >listed.txt
expect_eq "--list-outputs exits 0" 0 $?
expect_eq "--list-outputs writes nothing, not even a depfile" "no" "$([ -e never ] || [ -e never.d ] && echo yes || echo no)"
expect_contains "--list-outputs prints DIR/path" "never/typescript/client.ts" listed.txt
"$rpcc" "my api/main.rpc" -o written --lang typescript
expect_eq "--list-outputs names exactly the files a run writes" "$(sed 's/^never/written/' listed.txt)" \
    "$(find written -type f | LC_ALL=C sort)"
"$rpcc" "my api/main.rpc" --list-outputs --lang go >relative.txt
expect_eq "--list-outputs without -o prints paths relative to the output directory" "go/client.go" \
    "$(grep -x go/client.go relative.txt)"

# cmake/Rpcc.cmake lists the outputs at configure time: the list must not depend on the input's content.
expect_eq "--list-outputs depends on the options, not on the input" \
    "$("$rpcc" "my api/main.rpc" --list-outputs)" "$("$rpcc" "$root/spec/examples/everything.rpc" --list-outputs)"

# --- --stdin-filename ----------------------------------------------------------------------------------------
# The buffer differs from the file on disk (an unsaved edit): the buffer is checked, reported under PATH as given.
sed 's/page: Page;/page: Pgae;/' "my api/main.rpc" >buffer.rpc
"$rpcc" --check --color=never --stdin-filename "my api/main.rpc" <buffer.rpc 2>stdin.txt
expect_eq "--stdin-filename checks the buffer, not the file" 1 $?
expect_eq "--stdin-filename reports PATH as given" \
    "my api/main.rpc:5:11: error: unknown type 'Pgae' (did you mean 'Page'?)" "$(head -1 stdin.txt)"
mkdir -p elsewhere && cd elsewhere || exit 2
"$rpcc" --check --stdin-filename "../my api/main.rpc" <"$project/main.rpc"
expect_eq "imports resolve relative to PATH's directory, not the working directory" 0 $?
"$rpcc" --check --stdin-filename "./../my api/./main.rpc" <"$work/buffer.rpc" 2>stdin.txt
expect_contains "a PATH with ./ and ../ is kept as given" "./../my api/./main.rpc:5:11: error:" stdin.txt
cd "$work" || exit 2
"$rpcc" --check --stdin-filename "my api/main.rpc" - <"$project/main.rpc"
expect_eq "'-' as the input file is accepted with --stdin-filename" 0 $?
"$rpcc" --check --stdin-filename "no such dir/main.rpc" <"$project/main.rpc" 2>stdin.txt
expect_eq "PATH need not exist; its imports are then not found" 1 $?
expect_contains "... and the note says where rpcc looked" "looked for 'no such dir/common.rpc'" stdin.txt
expect_status "--stdin-filename with an input file is a usage error" 2 \
    "$rpcc" --check --stdin-filename x.rpc "my api/main.rpc"
"$rpcc" --stdin-filename "my api/main.rpc" -o from-stdin --lang go <"$project/main.rpc"
expect_eq "--stdin-filename can generate too" "yes" "$([ -f from-stdin/go/client.go ] && echo yes)"

# --- did you mean: text and JSON fixes -----------------------------------------------------------------------
"$rpcc" --check --color=never "my api/typos.rpc" 2>typos.txt
expect_contains "text: the suggestion follows the message" \
    "my api/typos.rpc:10:19: error: unknown annotation '@lenght' (did you mean 'length'?)" typos.txt
"$rpcc" --check --diagnostics-format=json "my api/typos.rpc" 2>typos.json
expect_contains "JSON: the fix is a replacement of the token's range" \
    '"fixes":[{"line":9,"column":11,"end_line":9,"end_column":15,"replacement":"Page"}]' typos.json
expect_eq "JSON: one fix per did-you-mean" 4 "$(grep -c '"fixes"' typos.json)"
node "$here/cli/apply-fixes.js" <typos.json >applied.txt
expect_eq "the fixes apply" 4 "$(wc -l <applied.txt | tr -d ' ')"
"$rpcc" --check "my api/typos.rpc" 2>fixed.txt
expect_eq "the file with every fix applied is valid" 0 $?

# --- Go module path: checked where the arguments are parsed, before anything is read or written ---------------
for bad in "Bad Module" "a//b" "-x" "x." "a/.b" "a+b"; do
    expect_status "--go-module '$bad' is a usage error" 2 "$rpcc" -o gomod --lang go --go-module "$bad" "my api/main.rpc"
done
expect_eq "... and nothing is written" "no" "$([ -e gomod ] && echo yes || echo no)"
"$rpcc" -o gomod --lang go --go-module "Bad Module" "my api/main.rpc" 2>gomod.txt
expect_contains "the usage error names the value" "rpcc: error: --go-module takes a Go module path" gomod.txt
expect_status "--check checks --go-module too" 2 "$rpcc" --check --go-module "a//b" "my api/main.rpc"
expect_status "a --package-name that cannot be the default Go module path is a usage error" 2 \
    "$rpcc" -o gomod --package-name "Foo Bar" "my api/main.rpc"
expect_status "... unless --go-module gives one" 0 \
    "$rpcc" -o gomod --package-name "Foo Bar" --go-module example.com/foo "my api/main.rpc"
expect_status "... or Go is not generated" 0 "$rpcc" -o gomod-py --lang python --package-name "Foo Bar" "my api/main.rpc"

# --- --license: the licence field of the package files, an SPDX expression; none by default ------------------
"$rpcc" -o lic-none --lang python,typescript "my api/main.rpc"
expect_lacks "no --license: pyproject.toml has no licence field" "license" "lic-none/python/pyproject.toml"
expect_lacks "no --license: package.json has no licence field" "license" "lic-none/typescript/package.json"
"$rpcc" -o lic --lang python,typescript --license "Apache-2.0 OR MIT" "my api/main.rpc"
expect_contains "--license fills pyproject.toml's field" 'license = "Apache-2.0 OR MIT"' "lic/python/pyproject.toml"
expect_contains "--license fills package.json's field" '"license": "Apache-2.0 OR MIT",' "lic/typescript/package.json"
for bad in "" "MIT\"" " MIT" "MIT  OR Apache-2.0" "MIT\\x" "MIT,Apache-2.0"; do
    expect_status "--license '$bad' is a usage error" 2 "$rpcc" -o lic-bad --license "$bad" "my api/main.rpc"
done
expect_eq "... and nothing is written" "no" "$([ -e lic-bad ] && echo yes || echo no)"

finish
