--- hpclsp: an HPC-aware language server (OpenMP races, parallelization advice, MPI/CUDA checks,
--- docs on hover, local-model inline completions). Neovim >= 0.10.
local M = {}

M.defaults = {
  cmd = { 'hpclsp', 'serve' },
  filetypes = { 'c', 'cpp', 'cuda', 'fortran' },
  root_markers = { 'hpclsp.toml', '.git' },
  settings = {}, -- the `hpclsp` settings section, e.g. { model = { backend = 'none' } }
  inline_completion = true, -- ghost text from the model
  inlay_hints = true, -- data-sharing attributes after each OpenMP directive
  -- No key is mapped unless you name one here (see `:help hpclsp-keys` for suggestions):
  -- keys = { accept_inline = '<M-l>', explain = '<leader>he', suggest = '<leader>hp' }
  keys = {},
}

M.config = vim.deepcopy(M.defaults)

local function has_native_inline()
  return vim.lsp.inline_completion ~= nil and vim.lsp.inline_completion.enable ~= nil
end

--- Keys whose value is a list (an empty Lua table there must stay a JSON array).
local LIST_KEYS = { indexes = true, select = true, ignore = true }

--- Settings as the server expects them: empty tables become JSON objects (`{}`), not arrays (`[]`),
--- except for list-valued settings. vim.json encodes a plain empty table as `[]`.
---@param value any
---@param key? string
---@return any
function M.normalize_settings(value, key)
  if type(value) ~= 'table' then
    return value
  end
  if next(value) == nil then
    return LIST_KEYS[key] and {} or vim.empty_dict()
  end
  if vim.islist(value) then
    return value
  end
  local out = {}
  for k, v in pairs(value) do
    out[k] = M.normalize_settings(v, k)
  end
  return out
end

--- client:request on 0.11+, client.request on 0.10.
local function request(client, method, params, handler, bufnr)
  if vim.fn.has('nvim-0.11') == 1 then
    return client:request(method, params, handler, bufnr)
  end
  return client.request(method, params, handler, bufnr)
end
M.request = request

local function hpclsp_client(bufnr)
  return vim.lsp.get_clients({ bufnr = bufnr or 0, name = 'hpclsp' })[1]
end

--- Run an hpclsp command on the server for the current buffer.
---@param command string
---@param arguments any[]
---@param on_result? fun(result: any)
function M.execute(command, arguments, on_result)
  local client = hpclsp_client(0)
  if not client then
    vim.notify('hpclsp is not attached to this buffer', vim.log.levels.WARN)
    return
  end
  request(client, 'workspace/executeCommand', { command = command, arguments = arguments }, function(err, result)
    if err then
      vim.notify('hpclsp: ' .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
    elseif on_result then
      on_result(result)
    end
  end, 0)
end

local function show_text(title, text)
  if type(text) == 'table' then
    text = text.markdown or text.text or text.answer or vim.inspect(text)
  end
  local lines = vim.split(tostring(text or ''), '\n')
  vim.lsp.util.open_floating_preview(lines, 'markdown', { border = 'rounded', title = title, focus_id = 'hpclsp' })
end

--- Explain the selected range (or the current line) with the model and the docs.
function M.explain(range)
  local uri = vim.uri_from_bufnr(0)
  local s, e
  if range then
    s, e = range[1], range[2]
  else
    local l = vim.api.nvim_win_get_cursor(0)[1]
    s, e = l, l
  end
  local r = { start = { line = s - 1, character = 0 }, ['end'] = { line = e, character = 0 } }
  M.execute('hpclsp.explain', { uri, r }, function(res)
    show_text('hpclsp explain', res)
  end)
end

--- Ask the documentation index a question.
function M.ask_docs(question)
  if not question or question == '' then
    question = vim.fn.input('hpclsp docs: ')
  end
  M.execute('hpclsp.askDocs', { question }, function(res)
    show_text('hpclsp docs', res)
  end)
end

--- Insert every suggested parallelization pragma in the current buffer.
function M.suggest()
  M.execute('hpclsp.suggestParallelization', { vim.uri_from_bufnr(0) })
end

--- Rebuild the documentation indexes.
function M.rebuild_index()
  M.execute('hpclsp.rebuildIndex', {}, function()
    vim.notify('hpclsp: index rebuilt')
  end)
end

--- Show the model's state (loading / ready / failed) as the server reports it.
function M.status()
  M.execute('hpclsp.modelStatus', {}, function(res)
    local parts = {}
    for k, v in pairs(type(res) == 'table' and res or { state = res }) do
      parts[#parts + 1] = k .. ': ' .. vim.inspect(v)
    end
    table.sort(parts)
    vim.notify('hpclsp model — ' .. table.concat(parts, ', '))
  end)
end

--- Accept the inline completion shown at the cursor. Returns true when one was accepted.
function M.accept_inline()
  if has_native_inline() then
    return vim.lsp.inline_completion.get()
  end
  return require('hpclsp.ghost').accept()
end

--- Called for every buffer hpclsp attaches to. Maps only the keys the user configured, and
--- only in that buffer.
function M.on_attach(client, bufnr)
  if M.config.inline_completion then
    if has_native_inline() then
      vim.lsp.inline_completion.enable(true, { bufnr = bufnr })
    else
      require('hpclsp.ghost').attach(client, bufnr)
    end
  end
  if M.config.inlay_hints and vim.lsp.inlay_hint and client.server_capabilities.inlayHintProvider then
    vim.lsp.inlay_hint.enable(true, { bufnr = bufnr })
  end
  local keys = M.config.keys or {}
  if keys.accept_inline then
    vim.keymap.set('i', keys.accept_inline, function()
      if not M.accept_inline() then
        return keys.accept_inline
      end
    end, { buffer = bufnr, expr = true, desc = 'hpclsp: accept inline completion' })
  end
  if keys.explain then
    vim.keymap.set('n', keys.explain, M.explain, { buffer = bufnr, desc = 'hpclsp: explain line' })
  end
  if keys.suggest then
    vim.keymap.set('n', keys.suggest, M.suggest, { buffer = bufnr, desc = 'hpclsp: parallelize all loops' })
  end
end

--- The vim.lsp config table (also what lsp/hpclsp.lua provides on 0.11+).
function M.lsp_config()
  local cfg = M.config
  local settings = M.normalize_settings(cfg.settings)
  return {
    name = 'hpclsp',
    cmd = cfg.cmd,
    filetypes = cfg.filetypes,
    root_markers = cfg.root_markers,
    settings = { hpclsp = settings },
    init_options = settings,
    on_attach = M.on_attach,
  }
end

--- The user commands (:HpclspExplain, ...). Called by plugin/hpclsp.lua and by setup(), so a
--- plugin manager that adds the runtime path late (a git checkout's editors/nvim) still gets them.
function M.create_commands()
  local cmd = vim.api.nvim_create_user_command
  cmd('HpclspExplain', function(o)
    M.explain(o.range > 0 and { o.line1, o.line2 } or nil)
  end, { range = true, desc = 'Explain the selected code with hpclsp', force = true })
  cmd('HpclspAskDocs', function(o)
    M.ask_docs(o.args)
  end, { nargs = '*', desc = 'Ask the hpclsp documentation index', force = true })
  cmd('HpclspSuggest', M.suggest, { desc = 'Insert every suggested OpenMP pragma in this buffer', force = true })
  cmd('HpclspRebuildIndex', M.rebuild_index, { desc = 'Rebuild the hpclsp documentation indexes', force = true })
  cmd('HpclspStatus', M.status, { desc = 'Show the hpclsp model state', force = true })
end

--- File types for CUDA and the Fortran extensions (also in ftdetect/hpclsp.lua).
function M.add_filetypes()
  local ext = { cu = 'cuda', cuh = 'cuda' }
  for _, e in ipairs({ 'f', 'for', 'f77', 'f90', 'F90', 'f95', 'F95', 'f03', 'f08', 'F', 'FOR', 'F77', 'F03', 'F08' }) do
    ext[e] = 'fortran'
  end
  vim.filetype.add({ extension = ext })
end

--- Configure and start hpclsp. On 0.11+ this uses vim.lsp.config/enable; on 0.10 a FileType autocmd.
---@param opts? table overrides of M.defaults
function M.setup(opts)
  M.config = vim.tbl_deep_extend('force', vim.deepcopy(M.defaults), opts or {})
  M.create_commands()
  M.add_filetypes()
  local cfg = M.lsp_config()
  if vim.lsp.config and vim.lsp.enable then
    vim.lsp.config('hpclsp', cfg)
    vim.lsp.enable('hpclsp')
    return
  end
  vim.api.nvim_create_autocmd('FileType', {
    group = vim.api.nvim_create_augroup('hpclsp', { clear = true }),
    pattern = cfg.filetypes,
    callback = function(args)
      local root = vim.fs.root(args.buf, cfg.root_markers) or vim.fn.getcwd()
      vim.lsp.start({
        name = 'hpclsp',
        cmd = cfg.cmd,
        root_dir = root,
        settings = cfg.settings,
        init_options = cfg.init_options,
        on_attach = cfg.on_attach,
      }, { bufnr = args.buf })
    end,
  })
end

return M
