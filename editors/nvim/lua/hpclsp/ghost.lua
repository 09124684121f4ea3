--- Extmark ghost text for textDocument/inlineCompletion on Neovim versions without
--- vim.lsp.inline_completion (< 0.12).
local M = {}

local ns = vim.api.nvim_create_namespace('hpclsp_ghost')
local state = {} ---@type table<integer, {item: table?, timer: uv_timer_t?, tick: integer}>

local function clear(bufnr)
  vim.api.nvim_buf_clear_namespace(bufnr, ns, 0, -1)
  if state[bufnr] then
    state[bufnr].item = nil
  end
end

local function show(bufnr, item)
  clear(bufnr)
  local text = type(item.insertText) == 'table' and item.insertText.value or item.insertText
  if not text or text == '' then
    return
  end
  local row, col = unpack(vim.api.nvim_win_get_cursor(0))
  local lines = vim.split(text, '\n')
  local virt_lines = {}
  for i = 2, #lines do
    virt_lines[#virt_lines + 1] = { { lines[i], 'Comment' } }
  end
  vim.api.nvim_buf_set_extmark(bufnr, ns, row - 1, col, {
    virt_text = { { lines[1], 'Comment' } },
    virt_text_pos = 'inline',
    virt_lines = #virt_lines > 0 and virt_lines or nil,
  })
  state[bufnr].item = item
end

local function request(client, bufnr)
  local params = vim.lsp.util.make_position_params(0, client.offset_encoding)
  params.context = { triggerKind = 2 }
  local tick = vim.api.nvim_buf_get_changedtick(bufnr)
  require('hpclsp').request(client, 'textDocument/inlineCompletion', params, function(err, result)
    if err or not result or vim.api.nvim_buf_get_changedtick(bufnr) ~= tick then
      return
    end
    local items = result.items or result
    if items and items[1] and vim.api.nvim_get_mode().mode:sub(1, 1) == 'i' then
      show(bufnr, items[1])
    end
  end, bufnr)
end

--- Request a completion after a pause in typing (insert mode).
function M.attach(client, bufnr)
  state[bufnr] = { tick = 0 }
  local group = vim.api.nvim_create_augroup('hpclsp_ghost_' .. bufnr, { clear = true })
  vim.api.nvim_create_autocmd({ 'TextChangedI', 'CursorMovedI' }, {
    group = group,
    buffer = bufnr,
    callback = function()
      clear(bufnr)
      local s = state[bufnr]
      if s.timer then
        s.timer:stop()
      end
      s.timer = vim.defer_fn(function()
        if vim.api.nvim_buf_is_valid(bufnr) then
          request(client, bufnr)
        end
      end, 200)
    end,
  })
  vim.api.nvim_create_autocmd({ 'InsertLeave', 'BufLeave' }, { group = group, buffer = bufnr, callback = function() clear(bufnr) end })
end

--- Insert the shown suggestion at the cursor. Returns true when there was one.
function M.accept()
  local bufnr = vim.api.nvim_get_current_buf()
  local s = state[bufnr]
  local item = s and s.item
  if not item then
    return false
  end
  local text = type(item.insertText) == 'table' and item.insertText.value or item.insertText
  clear(bufnr)
  vim.schedule(function()
    local row, col = unpack(vim.api.nvim_win_get_cursor(0))
    if item.range then
      local r = item.range
      vim.api.nvim_buf_set_text(bufnr, r.start.line, r.start.character, r['end'].line, r['end'].character, vim.split(text, '\n'))
    else
      vim.api.nvim_buf_set_text(bufnr, row - 1, col, row - 1, col, vim.split(text, '\n'))
    end
  end)
  return true
end

return M
