#!/bin/sh
# The editor set-ups of editors/, each run on real `rpcc --check` output and compared with what rpcc meant (its
# --diagnostics-format=json output of the same run): file, line, column, severity and message of every diagnostic.
#   Vim:     compiler/rpcc.vim's errorformat through :cgetfile, :make (ftdetect + ftplugin pick the compiler), and
#            :RpccCheck on an unsaved buffer; the quickfix list is read back with getqflist().
#   Emacs:   rpcc.el's compilation-mode entry, visiting every message with next-error (where the cursor lands), and
#            M-x rpcc-check on an unsaved buffer.
#   VS Code: the problem matchers of vscode/tasks.json, compiled and applied by node as VS Code does (VS Code
#            itself cannot run here), on relative and absolute paths.
# The input has errors with suggestions, errors with notes in the same and in another file, and a warning, under a
# directory with a space in its name. Needs vim (+eval +quickfix), emacs and node: make check-integration installs
# them. Usage: tests/integration/run-editors.sh RPCC
suite=editors
. "$(dirname "$0")/lib.sh"
use_rpcc "$1"
editors="$root/editors"
helpers="$here/editors"

proj="$work/proj"
mkdir -p "$proj/my api" "$proj/cli/sub"
cp "$helpers/broken.rpc" "$proj/my api/"
cp "$here/cli/main.rpc" "$here/cli/common.rpc" "$proj/cli/"
cp "$here/cli/sub/deep.rpc" "$proj/cli/sub/"
cd "$proj" || exit 2

"$rpcc" --check --color=never "my api/broken.rpc" 2>out.txt
"$rpcc" --check --diagnostics-format=json "my api/broken.rpc" 2>out.json
node "$helpers/diagnostics.js" expected out.json >expected.txt
expect_eq "the input has 7 diagnostics (errors, notes, a warning)" 7 "$(wc -l <expected.txt | tr -d ' ')"
cut -d'|' -f1-4 expected.txt >expected-places.txt
# The same run with an absolute path, as CMake and other build tools run rpcc.
"$rpcc" --check --color=never "$proj/my api/broken.rpc" 2>out-absolute.txt
"$rpcc" --check --diagnostics-format=json "$proj/my api/broken.rpc" 2>out-absolute.json
node "$helpers/diagnostics.js" expected out-absolute.json >expected-absolute.txt

# An unsaved edit of a valid file: what each editor's buffer check must report, and the file must not change.
sed 's/page: Page;/page: Pgae;/' cli/main.rpc >edited.rpc
"$rpcc" --check --diagnostics-format=json --stdin-filename cli/main.rpc <edited.rpc 2>edited.json
node "$helpers/diagnostics.js" expected edited.json >expected-edited.txt
cp cli/main.rpc main.rpc.saved

compare() { # NAME EXPECTED-FILE ACTUAL-FILE
    if cmp -s "$2" "$3"; then ok "$1"; else fail "$1" "$(diff -u "$2" "$3" 2>&1 | head -30)"; fi
}

# --- Vim -----------------------------------------------------------------------------------------------------
vim_run() { # FILE-TO-EDIT RESULT EX-COMMANDS...
    file=$1 result=$2; shift 2
    set -- "$@" -c "let g:qf_out = '$result'" -c "source $helpers/vim-quickfix.vim" -c 'qa!'
    vim -Es -u NONE -i NONE -N --cmd "set rtp^=$editors/vim" --cmd 'filetype plugin on' \
        --cmd "let g:rpcc_executable = '$rpcc'" "$@" ${file:+"$file"} >vim.log 2>&1 </dev/null
}
vim_run "" "$proj/vim-cgetfile.txt" -c 'compiler rpcc' -c 'cgetfile out.txt'
compare "vim: errorformat via :cgetfile" expected.txt vim-cgetfile.txt
vim_run "" "$proj/vim-absolute.txt" -c 'compiler rpcc' -c 'cgetfile out-absolute.txt'
compare "vim: errorformat on absolute paths" expected-absolute.txt vim-absolute.txt
vim_run "my api/broken.rpc" "$proj/vim-make.txt" -c 'silent make'
compare "vim: :make on a .rpc buffer (ftdetect, ftplugin, makeprg)" expected.txt vim-make.txt
vim_run cli/main.rpc "$proj/vim-buffer.txt" -c '%s/page: Page;/page: Pgae;/' -c 'RpccCheck'
compare "vim: :RpccCheck checks the unsaved buffer" expected-edited.txt vim-buffer.txt
compare "vim: ... and leaves the file alone" main.rpc.saved cli/main.rpc

# --- Emacs ---------------------------------------------------------------------------------------------------
emacs_run() { emacs --batch -Q -l "$editors/emacs/rpcc.el" -l "$helpers/emacs-next-error.el" \
    --eval "(setq rpcc-executable \"$rpcc\")" --eval "$1" >emacs.log 2>&1 </dev/null; }
emacs_run "(rpcc-test-file \"out.txt\" \"$proj/emacs-file.txt\")"
compare "emacs: compilation-mode + next-error land on every diagnostic" expected-places.txt emacs-file.txt
emacs_run "(rpcc-test-file \"out-absolute.txt\" \"$proj/emacs-absolute.txt\")"
compare "emacs: ... on absolute paths too" expected-places.txt emacs-absolute.txt
cut -d'|' -f1-4 expected-edited.txt >expected-edited-places.txt
emacs_run "(rpcc-test-check \"cli/main.rpc\" \"page: Page;\" \"page: Pgae;\" \"$proj/emacs-buffer.txt\")"
compare "emacs: M-x rpcc-check checks the unsaved buffer" expected-edited-places.txt emacs-buffer.txt
compare "emacs: ... and leaves the file alone" main.rpc.saved cli/main.rpc
emacs_run "(with-temp-file \"$proj/emacs-mode.txt\" (insert (format \"%s\" (with-current-buffer (find-file-noselect \"cli/main.rpc\") major-mode))))"
expect_eq "emacs: .rpc files open in rpcc-mode" "rpcc-mode" "$(cat emacs-mode.txt 2>/dev/null)"

# --- VS Code -------------------------------------------------------------------------------------------------
for task in "rpcc: check current file" "rpcc: generate the SDKs"; do
    node "$helpers/diagnostics.js" vscode "$editors/vscode/tasks.json" "$task" out.txt >vscode.txt
    compare "vscode: problem matcher of '$task'" expected.txt vscode.txt
    node "$helpers/diagnostics.js" vscode "$editors/vscode/tasks.json" "$task" out-absolute.txt >vscode.txt
    compare "vscode: ... on absolute paths" expected-absolute.txt vscode.txt
done
# The generate task's real output (a run that fails the same way) is what its matcher sees.
"$rpcc" --color=never "my api/broken.rpc" -o opensdk 2>generate.txt
node "$helpers/diagnostics.js" vscode "$editors/vscode/tasks.json" "rpcc: generate the SDKs" generate.txt >vscode.txt
compare "vscode: the generate task's own output" expected.txt vscode.txt

finish
