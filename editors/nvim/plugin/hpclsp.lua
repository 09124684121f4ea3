-- User commands for hpclsp (the server itself starts via lsp/hpclsp.lua or require('hpclsp').setup{}).
-- No key is mapped: see `:help hpclsp-keys` for suggested mappings.
if vim.g.loaded_hpclsp then
  return
end
vim.g.loaded_hpclsp = 1

require('hpclsp').create_commands()
