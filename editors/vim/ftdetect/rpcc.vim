" .rpc files are rpcc interface definitions.
autocmd BufRead,BufNewFile *.rpc setfiletype rpc
