-- hpclsp for Neovim >= 0.11: `vim.lsp.enable('hpclsp')` picks this config up from 'runtimepath'.
---@type vim.lsp.Config
return {
  cmd = { 'hpclsp', 'serve' },
  filetypes = { 'c', 'cpp', 'cuda', 'fortran' },
  root_markers = { 'hpclsp.toml', '.git' },
  -- Sent as initializationOptions and answered to workspace/configuration (section "hpclsp").
  settings = { hpclsp = vim.empty_dict() },
  init_options = vim.empty_dict(),
  on_attach = function(client, bufnr)
    require('hpclsp').on_attach(client, bufnr)
  end,
}
