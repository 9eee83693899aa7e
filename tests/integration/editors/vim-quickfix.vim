" Helper of run-editors.sh: writes Vim's quickfix list to g:qf_out, one valid entry a line,
" "ABSOLUTE-PATH|LINE|COLUMN|SEVERITY|MESSAGE" (type e, w, n as error, warning, note).
let s:types = {'e': 'error', 'w': 'warning', 'n': 'note'}
let s:lines = []
for s:entry in getqflist()
  if s:entry.valid
    call add(s:lines, join([simplify(fnamemodify(bufname(s:entry.bufnr), ':p')), s:entry.lnum, s:entry.col,
          \ get(s:types, s:entry.type, 'type ' . s:entry.type), s:entry.text], '|'))
  endif
endfor
call writefile(s:lines, g:qf_out)
