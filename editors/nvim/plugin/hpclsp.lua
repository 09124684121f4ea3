-- User commands for hpclsp (the server itself starts via lsp/hpclsp.lua or require('hpclsp').setup{}).
if vim.g.loaded_hpclsp then
  return
end
vim.g.loaded_hpclsp = 1

local function hp()
  return require('hpclsp')
end

vim.api.nvim_create_user_command('HpclspExplain', function(opts)
  hp().explain(opts.range > 0 and { opts.line1, opts.line2 } or nil)
end, { range = true, desc = 'Explain the selected code with hpclsp' })
vim.api.nvim_create_user_command('HpclspAskDocs', function(opts)
  hp().ask_docs(opts.args)
end, { nargs = '*', desc = 'Ask the hpclsp documentation index' })
vim.api.nvim_create_user_command('HpclspSuggest', function()
  hp().suggest()
end, { desc = 'Insert every suggested OpenMP pragma in this buffer' })
vim.api.nvim_create_user_command('HpclspRebuildIndex', function()
  hp().rebuild_index()
end, { desc = 'Rebuild the hpclsp documentation indexes' })
vim.api.nvim_create_user_command('HpclspStatus', function()
  hp().status()
end, { desc = 'Show the hpclsp model state' })
