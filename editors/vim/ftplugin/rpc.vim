" rpcc interface definitions: `:make` checks the saved file (compiler/rpcc.vim); `:RpccCheck` checks the buffer as
" it is, saved or not (rpcc --check --stdin-filename), and fills the quickfix list the same way.
if exists('b:did_ftplugin')
  finish
endif
let b:did_ftplugin = 1

compiler rpcc
setlocal commentstring=//\ %s comments=:///,://

if !exists('*s:RpccCheck')
  function s:RpccCheck() abort
    let l:rpcc = get(g:, 'rpcc_executable', 'rpcc')
    " The buffer's name as Vim shows it: rpcc resolves imports from its directory and reports it as given.
    let l:output = system(shellescape(l:rpcc) . ' --check --color=never --stdin-filename '
          \ . shellescape(expand('%')), getline(1, '$'))
    " :cgetexpr reads the global 'errorformat'; the buffer's (compiler/rpcc.vim) is the one for rpcc.
    let l:global_efm = &g:errorformat
    let &g:errorformat = &l:errorformat
    try
      cgetexpr l:output
    finally
      let &g:errorformat = l:global_efm
    endtry
    call setqflist([], 'a', {'title': 'rpcc --check ' . expand('%')})
    cwindow
  endfunction
endif
command! -buffer RpccCheck call s:RpccCheck()

let b:undo_ftplugin = 'setlocal makeprg< errorformat< commentstring< comments< | delcommand RpccCheck'
