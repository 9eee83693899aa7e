" Vim compiler file for rpcc (https://.../rpcc): `:compiler rpcc`, then `:make` checks the current file and fills
" the quickfix list with rpcc's diagnostics (errors, warnings, and notes, which point at related places).
" makeprg: g:rpcc_executable (default "rpcc") --check on the current file; set b:rpcc_makeprg_args for -I DIR.
if exists('current_compiler')
  finish
endif
let current_compiler = 'rpcc'
let s:cpo_save = &cpo
set cpo&vim

if exists(':CompilerSet') != 2
  command -nargs=* CompilerSet setlocal <args>
endif

execute 'CompilerSet makeprg=' . escape(get(g:, 'rpcc_executable', 'rpcc'), ' \|"')
      \ . '\ --check\ --color=never\ $*\ %:S'
" path:line:col: error|warning|note: message; the source line and the caret line that follow are dropped.
" %f is followed by a literal ':' so it may contain spaces. A note is type 'n'; `rpcc: error: ...' has no place.
CompilerSet errorformat=%f:%l:%c:\ %trror:\ %m,
                       \%f:%l:%c:\ %tarning:\ %m,
                       \%f:%l:%c:\ %tote:\ %m,
                       \rpcc:\ %trror:\ %m,
                       \%-G%.%#

let &cpo = s:cpo_save
unlet s:cpo_save
