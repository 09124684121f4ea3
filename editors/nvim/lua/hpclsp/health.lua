--- :checkhealth hpclsp — Neovim version, inline completion support, the server command, and the
--- server's own `hpclsp doctor` checks (grammars, model, embedder, indexes).
local M = {}

--- The CLI prefix of the configured server command: everything before 'serve'
--- ({ 'hpclsp', 'serve' } -> { 'hpclsp' }; { python, '-m', 'hpclsp', 'serve' } -> { python, '-m', 'hpclsp' }).
---@param cmd string[]|function
---@return string[]|nil
function M.cli_prefix(cmd)
  if type(cmd) ~= 'table' or #cmd == 0 then
    return nil
  end
  local prefix = {}
  for _, part in ipairs(cmd) do
    if part == 'serve' then
      break
    end
    prefix[#prefix + 1] = part
  end
  return prefix
end

local function run(argv)
  local ok, res = pcall(function()
    return vim.system(argv, { text = true }):wait(60000)
  end)
  if not ok then
    return nil, tostring(res)
  end
  return res, nil
end

--- Report `hpclsp doctor --format json` checks through vim.health.
local function doctor(h, prefix)
  local argv = vim.list_extend(vim.deepcopy(prefix), { 'doctor', '--format', 'json' })
  local res, err = run(argv)
  if not res then
    h.error('could not run `' .. table.concat(argv, ' ') .. '`: ' .. err)
    return
  end
  local ok, data = pcall(vim.json.decode, res.stdout or '')
  if not ok or type(data) ~= 'table' then
    h.error('`' .. table.concat(argv, ' ') .. '` failed (exit ' .. tostring(res.code) .. ')', { res.stderr })
    return
  end
  local checks = data.checks or data
  for _, c in ipairs(checks) do
    if type(c) == 'table' then
      local name = c.name or c.title or '?'
      local detail = c.detail or c.message or ''
      local line = detail ~= '' and (name .. ': ' .. detail) or name
      local advice = (c.fix and c.fix ~= '') and { c.fix } or nil
      if c.ok then
        h.ok(line)
      elseif c.required == false then
        h.warn(line, advice)
      else
        h.error(line, advice)
      end
    end
  end
end

function M.check()
  local h = vim.health
  h.start('hpclsp: editor')
  local v = vim.version()
  if vim.fn.has('nvim-0.10') == 1 then
    h.ok(string.format('Neovim %d.%d.%d', v.major, v.minor, v.patch))
  else
    h.error('Neovim 0.10 or newer is required')
  end
  if vim.lsp.inline_completion and vim.lsp.inline_completion.enable then
    h.ok('native inline completion (vim.lsp.inline_completion)')
  else
    h.info('inline completion uses the extmark ghost-text fallback (Neovim < 0.12)')
  end
  local clients = vim.lsp.get_clients({ name = 'hpclsp' })
  if #clients > 0 then
    h.ok(string.format('%d hpclsp client(s) running', #clients))
  else
    h.info('no hpclsp client running (open a C, C++, CUDA or Fortran file)')
  end

  h.start('hpclsp: server')
  local cmd = (clients[1] and clients[1].config.cmd) or require('hpclsp').config.cmd
  local prefix = M.cli_prefix(cmd)
  if not prefix or #prefix == 0 then
    h.warn('the server command is not a list; cannot run `hpclsp doctor`')
    return
  end
  if vim.fn.executable(prefix[1]) ~= 1 then
    h.error('`' .. prefix[1] .. '` not found', {
      'pip install hpclsp (or `make run` in the repository)',
      "or set cmd = { '/path/to/.venv/bin/hpclsp', 'serve' }",
    })
    return
  end
  h.ok('server command: ' .. table.concat(cmd, ' '))
  local res = run(vim.list_extend(vim.deepcopy(prefix), { '--version' }))
  if res and res.code == 0 then
    h.ok(vim.trim(res.stdout ~= '' and res.stdout or res.stderr))
  else
    h.error('`' .. table.concat(prefix, ' ') .. ' --version` failed', res and { res.stderr } or nil)
  end
  doctor(h, prefix)
end

return M
