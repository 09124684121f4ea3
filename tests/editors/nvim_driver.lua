-- Drives a real headless Neovim through hpclsp the way a user would, and writes what it saw to a
-- JSON file that tests/editors/test_nvim.py asserts on. Run as:
--   nvim --headless --clean --cmd 'set rtp^=editors/nvim' -c 'luafile tests/editors/nvim_driver.lua'
-- Environment: HPCLSP_NVIM_RESULT (output file), HPCLSP_NVIM_PYTHON (interpreter for the server),
-- HPCLSP_NVIM_C / HPCLSP_NVIM_F90 (files to open), HPCLSP_NVIM_STEPS (comma-separated subset),
-- HPCLSP_NVIM_MODEL ('none' turns the model off; anything else keeps the embedded default).
-- Every step records its own outcome; a failing step never stops the others.

local result = { steps = {}, errors = {}, nvim = tostring(vim.version()) }
local out_path = assert(os.getenv('HPCLSP_NVIM_RESULT'), 'HPCLSP_NVIM_RESULT is not set')
local python = os.getenv('HPCLSP_NVIM_PYTHON') or 'python3'
local wanted = {}
for s in (os.getenv('HPCLSP_NVIM_STEPS') or 'all'):gmatch('[^,]+') do
  wanted[s] = true
end

local function finish()
  local f = assert(io.open(out_path, 'w'))
  f:write(vim.json.encode(result))
  f:close()
  vim.cmd('qall!')
end

local co ---@type thread
local function resume()
  local ok, err = coroutine.resume(co)
  if not ok then
    table.insert(result.errors, 'driver: ' .. tostring(err))
    finish()
  end
end

--- Give control back to Neovim's main loop (so LSP messages, timers and typeahead are processed).
local function sleep(ms)
  vim.defer_fn(resume, ms)
  coroutine.yield()
end

--- Poll cond() until it returns a truthy value or timeout_ms passes; returns that value or nil.
local function wait_for(cond, timeout_ms)
  local waited = 0
  while waited <= timeout_ms do
    local ok, v = pcall(cond)
    if ok and v then
      return v
    end
    sleep(50)
    waited = waited + 50
  end
  return nil
end

local function client_for(bufnr)
  return vim.lsp.get_clients({ bufnr = bufnr, name = 'hpclsp' })[1]
end

local function hpclsp_diagnostics(bufnr)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if d.source == 'hpclsp' then
      out[#out + 1] = { lnum = d.lnum, col = d.col, code = d.code, severity = d.severity, message = d.message }
    end
  end
  return out
end

local function has_code(diags, prefix)
  for _, d in ipairs(diags) do
    if type(d.code) == 'string' and d.code:sub(1, #prefix) == prefix then
      return true
    end
  end
  return false
end

local function buf_text(bufnr)
  return table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), '\n')
end

--- Open a file and wait until hpclsp has attached and published diagnostics with `prefix` codes.
local function open_and_wait(path, prefix, timeout_ms)
  vim.cmd.edit(vim.fn.fnameescape(path))
  local bufnr = vim.api.nvim_get_current_buf()
  local attached = wait_for(function()
    return client_for(bufnr)
  end, 15000)
  local diags = wait_for(function()
    local d = hpclsp_diagnostics(bufnr)
    return has_code(d, prefix) and d
  end, timeout_ms) or hpclsp_diagnostics(bufnr)
  return bufnr, attached ~= nil, diags
end

local function first_line_matching(bufnr, pattern, after)
  for i, l in ipairs(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)) do
    if i > (after or 0) and l:find(pattern) then
      return i -- 1-based
    end
  end
end

-- The floating windows open right now (hover, health output excluded).
local function float_texts()
  local texts = {}
  for _, w in ipairs(vim.api.nvim_list_wins()) do
    if vim.api.nvim_win_get_config(w).relative ~= '' then
      local b = vim.api.nvim_win_get_buf(w)
      texts[#texts + 1] = table.concat(vim.api.nvim_buf_get_lines(b, 0, -1, false), '\n')
    end
  end
  return texts
end

local function close_floats()
  for _, w in ipairs(vim.api.nvim_list_wins()) do
    if vim.api.nvim_win_get_config(w).relative ~= '' then
      pcall(vim.api.nvim_win_close, w, true)
    end
  end
end

local steps = {}

-- 1. The racy C file: the race warning arrives as a diagnostic with source hpclsp.
function steps.c_diagnostics(ctx)
  local bufnr, attached, diags = open_and_wait(ctx.c, 'omp-race', 20000)
  ctx.cbuf = bufnr
  local client = client_for(bufnr)
  return {
    filetype = vim.bo[bufnr].filetype,
    attached = attached,
    diagnostics = diags,
    inline_provider = client and client.server_capabilities.inlineCompletionProvider ~= nil or false,
  }
end

-- 2. "Parallelize loop" through vim.lsp.buf.code_action (the user's path), applied to the buffer.
function steps.code_action(ctx)
  local bufnr = ctx.cbuf
  vim.api.nvim_set_current_buf(bufnr)
  local fn_line = first_line_matching(bufnr, 'void scale_all')
  local loop_line = first_line_matching(bufnr, '^%s*for ', fn_line)
  vim.api.nvim_win_set_cursor(0, { loop_line, 2 })
  local before = buf_text(bufnr)
  local titles = {}
  vim.lsp.buf.code_action({
    context = { only = { 'refactor.rewrite.parallelize' }, diagnostics = {} },
    filter = function(action)
      titles[#titles + 1] = action.title
      return action.kind == 'refactor.rewrite.parallelize'
    end,
    apply = true,
  })
  local changed = wait_for(function()
    return buf_text(bufnr) ~= before
  end, 10000)
  local lines = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
  -- After the edit the server re-analyses; the new pragma must not bring a warning with it.
  -- Wait for the re-analysis (the hint on the old loop line goes away) rather than a fixed time:
  -- on a loaded machine the diagnostics of the previous version can still be there after 600 ms.
  sleep(600)
  local diags = wait_for(function()
    local d = hpclsp_diagnostics(bufnr)
    if not has_code(d, 'omp-race') then
      return nil
    end
    for _, x in ipairs(d) do
      if x.code == 'omp-parallelizable-loop' and (x.lnum == loop_line or x.lnum == loop_line - 1) then
        return nil
      end
    end
    return d
  end, 15000) or hpclsp_diagnostics(bufnr)
  return {
    titles = titles,
    changed = changed ~= nil,
    loop_line = loop_line,
    line_above_loop = lines[loop_line] or '',
    loop_line_now = lines[loop_line + 1] or '',
    diagnostics_after = diags,
  }
end

-- 3. Hover (K) on the OpenMP directive and on a loop: the text of the floating window.
function steps.hover(ctx)
  local bufnr = ctx.cbuf
  vim.api.nvim_set_current_buf(bufnr)
  local out = {}
  local pragma_line = first_line_matching(bufnr, '#pragma omp parallel for')
  local col = vim.api.nvim_buf_get_lines(bufnr, pragma_line - 1, pragma_line, false)[1]:find('parallel') + 1
  local fn_line = first_line_matching(bufnr, 'void running_sum')
  local dep_loop = first_line_matching(bufnr, '^%s*for ', fn_line)
  local spots = { { 'directive', pragma_line, col }, { 'loop', dep_loop, 3 } }
  for _, spot in ipairs(spots) do
    close_floats()
    vim.api.nvim_win_set_cursor(0, { spot[2], spot[3] })
    vim.lsp.buf.hover()
    local texts = wait_for(function()
      local t = float_texts()
      return #t > 0 and t
    end, 10000)
    out[spot[1]] = texts and table.concat(texts, '\n----\n') or nil
  end
  close_floats()
  return out
end

-- 4. The Fortran file: a missing private() race.
function steps.fortran_diagnostics(ctx)
  local bufnr, attached, diags = open_and_wait(ctx.f90, 'omp-race', 20000)
  ctx.fbuf = bufnr
  return { filetype = vim.bo[bufnr].filetype, attached = attached, diagnostics = diags }
end

-- 4b. Data-sharing inlay hints after the OpenMP directives (enabled by the plugin), the
-- semantic tokens on the sentinel, and the rendered buffer as HTML (for a screenshot).
local function inlay_labels(bufnr)
  local out = {}
  for _, h in ipairs(vim.lsp.inlay_hint.get({ bufnr = bufnr })) do
    local label = h.inlay_hint.label
    if type(label) == 'table' then
      local parts = {}
      for _, p in ipairs(label) do
        parts[#parts + 1] = p.value
      end
      label = table.concat(parts)
    end
    out[#out + 1] = { line = h.inlay_hint.position.line, label = label }
  end
  table.sort(out, function(a, b)
    return a.line < b.line
  end)
  return out
end

--- Write what Neovim's screen grid shows (text, inline virtual text and colours, cell by cell
--- through nvim__inspect_cell) as an HTML page, so a browser can turn it into a screenshot.
local function screen_html(path, title)
  vim.cmd('redraw!')
  local normal = vim.api.nvim_get_hl(0, { name = 'Normal', link = false })
  local function css(n, default)
    return n and string.format('#%06x', n) or default
  end
  local fg0, bg0 = css(normal.fg, '#e0e2ea'), css(normal.bg, '#14161b')
  local rows = {}
  for row = 0, vim.o.lines - 1 do
    local spans, cur, text = {}, nil, {}
    local function flush()
      if #text > 0 then
        local t = table.concat(text):gsub('&', '&amp;'):gsub('<', '&lt;'):gsub('>', '&gt;')
        spans[#spans + 1] = string.format('<span style="%s">%s</span>', cur, t)
      end
      text = {}
    end
    for col = 0, vim.o.columns - 1 do
      local ok, cell = pcall(vim.api.nvim__inspect_cell, 1, row, col)
      if ok then
        local a = cell[2] or {}
        local fg, bg = css(a.foreground, fg0), css(a.background, bg0)
        if a.reverse then
          fg, bg = bg, fg
        end
        local style = string.format(
          'color:%s;background:%s;%s%s%s',
          fg,
          bg,
          a.bold and 'font-weight:bold;' or '',
          a.italic and 'font-style:italic;' or '',
          (a.underline or a.undercurl) and 'text-decoration:underline;' or ''
        )
        if style ~= cur then
          flush()
          cur = style
        end
        text[#text + 1] = cell[1] ~= '' and cell[1] or ''
      end
    end
    flush()
    rows[#rows + 1] = table.concat(spans)
  end
  local f = assert(io.open(path, 'w'))
  f:write(string.format(
    '<!doctype html><meta charset="utf-8"><title>%s</title><body style="margin:0;background:%s">'
      .. '<pre style="margin:8px;font:14px/1.35 DejaVu Sans Mono,monospace;background:%s">%s</pre></body>',
    title,
    bg0,
    bg0,
    table.concat(rows, '\n')
  ))
  f:close()
end

function steps.inlay_hints(ctx)
  local out = {}
  for _, spec in ipairs({ { 'c', ctx.cbuf }, { 'fortran', ctx.fbuf } }) do
    local name, bufnr = spec[1], spec[2]
    if bufnr then
      vim.api.nvim_set_current_buf(bufnr)
      vim.o.columns, vim.o.lines = 100, 26
      vim.api.nvim_win_set_cursor(0, { 1, 0 })
      local enabled = vim.lsp.inlay_hint.is_enabled({ bufnr = bufnr })
      local labels = wait_for(function()
        local l = inlay_labels(bufnr)
        return #l > 0 and l
      end, 15000) or {}
      -- Let the inline virtual text be drawn, then export what the window shows.
      sleep(300)
      local tokens = wait_for(function()
        local t = vim.lsp.semantic_tokens and vim.lsp.semantic_tokens.get_at_pos
        if not t then
          return nil
        end
        for i, l in ipairs(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)) do
          local col = l:find('$omp', 1, true) or l:find('pragma omp', 1, true)
          if col then
            local at = t(bufnr, i - 1, col)
            if at and #at > 0 then
              local types = {}
              for _, tok in ipairs(at) do
                types[#types + 1] = tok.type
              end
              return types
            end
          end
        end
      end, 10000)
      local html = (os.getenv('HPCLSP_NVIM_HTML_DIR') or '.') .. '/nvim-inlay-hints-' .. name .. '.html'
      screen_html(html, 'hpclsp inlay hints in Neovim (' .. name .. ')')
      out[name] = { enabled = enabled, hints = labels, sentinel_tokens = tokens, html = html }
    end
  end
  return out
end

-- 5. Inline completion: enter insert mode on a fresh line, let vim.lsp.inline_completion show
-- ghost text, then accept it with the plugin's key (<M-l>).
function steps.inline_completion(ctx)
  local bufnr = ctx.cbuf
  vim.api.nvim_set_current_buf(bufnr)
  local fn_line = first_line_matching(bufnr, 'double total_weight')
  local before = buf_text(bufnr)
  local ns = vim.api.nvim_get_namespaces()['nvim.lsp.inline_completion']
  local native = vim.lsp.inline_completion ~= nil and vim.lsp.inline_completion.is_enabled({ bufnr = bufnr })
  -- Open a new line after "double total = 0.0;" and type the start of a loop.
  vim.api.nvim_win_set_cursor(0, { fn_line + 1, 0 })
  vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes('A<CR>for (int', true, false, true), 'nt', false)
  local ghost = wait_for(function()
    if vim.api.nvim_get_mode().mode ~= 'i' then
      return nil
    end
    for _, ns_id in ipairs({ ns, vim.api.nvim_get_namespaces()['hpclsp_ghost'] }) do
      if ns_id then
        local marks = vim.api.nvim_buf_get_extmarks(bufnr, ns_id, 0, -1, { details = true })
        if #marks > 0 then
          local d = marks[1][4]
          local parts = {}
          for _, chunk in ipairs(d.virt_text or {}) do
            parts[#parts + 1] = chunk[1]
          end
          return table.concat(parts)
        end
      end
    end
  end, 60000)
  local mode = vim.api.nvim_get_mode().mode
  local accepted_text
  if ghost then
    local typed = vim.api.nvim_get_current_line()
    vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes('<M-l>', true, false, true), 'mt', false)
    wait_for(function()
      return #vim.api.nvim_get_current_line() > #typed
    end, 5000)
    local row = vim.api.nvim_win_get_cursor(0)[1]
    accepted_text = vim.api.nvim_buf_get_lines(bufnr, row - 1, row, false)[1]
  end
  vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes('<Esc>', true, false, true), 'nt', false)
  sleep(100)
  local typed_line = vim.api.nvim_buf_get_lines(bufnr, fn_line + 1, fn_line + 2, false)[1]
  return {
    native = native,
    mode_while_waiting = mode,
    ghost = ghost,
    line_after_accept = accepted_text,
    typed_line = typed_line,
  }
end

-- 5b. The extmark ghost-text fallback (what Neovim < 0.12 gets), forced on this buffer.
function steps.ghost_fallback(ctx)
  local bufnr = ctx.cbuf
  vim.api.nvim_set_current_buf(bufnr)
  vim.lsp.inline_completion.enable(false, { bufnr = bufnr })
  local ghost_mod = require('hpclsp.ghost')
  ghost_mod.attach(client_for(bufnr), bufnr)
  local fn_line = first_line_matching(bufnr, 'void running_sum')
  vim.api.nvim_win_set_cursor(0, { fn_line, 0 })
  vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes('o  for (int', true, false, true), 'nt', false)
  local ns = vim.api.nvim_get_namespaces()['hpclsp_ghost']
  local ghost = wait_for(function()
    local marks = vim.api.nvim_buf_get_extmarks(bufnr, ns, 0, -1, { details = true })
    return #marks > 0 and marks[1][4].virt_text and marks[1][4].virt_text[1][1]
  end, 60000)
  local typed = vim.api.nvim_get_current_line()
  local line
  if ghost then
    vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes("<Cmd>lua require('hpclsp.ghost').accept()<CR>", true, false, true), 'nt', false)
    wait_for(function()
      return #vim.api.nvim_get_current_line() > #typed
    end, 5000)
    line = vim.api.nvim_get_current_line()
  end
  vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes('<Esc>', true, false, true), 'nt', false)
  sleep(100)
  return { ghost = ghost, typed = typed, line_after_accept = line }
end

-- 4d. Signature help inside an MPI call (vim.lsp.buf.signature_help, a floating window) and the
-- document symbols (vim.lsp.buf.document_symbol) of a file with an OpenMP region.
function steps.signature_and_symbols(ctx)
  local bufnr, attached = open_and_wait(ctx.halo, 'no-such-code', 0)
  attached = attached or wait_for(function()
    return client_for(bufnr)
  end, 15000) ~= nil
  local row = first_line_matching(bufnr, 'MPI_Sendrecv')
  local line = vim.api.nvim_buf_get_lines(bufnr, row - 1, row, false)[1]
  close_floats()
  vim.api.nvim_win_set_cursor(0, { row, line:find('MPI_DOUBLE, up', 1, true) - 1 })
  vim.lsp.buf.signature_help()
  local texts = wait_for(function()
    local t = float_texts()
    return #t > 0 and t
  end, 10000)
  close_floats()
  local symbols
  vim.lsp.buf.document_symbol({
    on_list = function(t)
      symbols = {}
      for _, item in ipairs(t.items) do
        symbols[#symbols + 1] = { text = item.text, lnum = item.lnum }
      end
    end,
  })
  wait_for(function()
    return symbols
  end, 10000)
  return { attached = attached, signature = texts and table.concat(texts, '\n----\n') or nil, symbols = symbols }
end

-- 4c. Only the configured key is mapped, only in hpclsp buffers.
function steps.keymaps(ctx)
  local bufnr = ctx.cbuf
  local function buffer_map(mode, desc)
    for _, m in ipairs(vim.api.nvim_buf_get_keymap(bufnr, mode)) do
      if (m.desc or ''):find(desc, 1, true) then
        return m.lhs
      end
    end
    return nil
  end
  local scratch = vim.api.nvim_create_buf(true, false)
  local global_count = 0
  for _, mode in ipairs({ 'n', 'i', 'v', 'x' }) do
    for _, m in ipairs(vim.api.nvim_get_keymap(mode)) do
      if (m.desc or ''):find('hpclsp') then
        global_count = global_count + 1
      end
    end
  end
  return {
    accept_in_buffer = buffer_map('i', 'accept inline completion'),
    normal_buffer_maps = (function()
      local n = 0
      for _, m in ipairs(vim.api.nvim_buf_get_keymap(bufnr, 'n')) do
        if (m.desc or ''):find('hpclsp') then
          n = n + 1
        end
      end
      return n
    end)(),
    global_hpclsp_maps = global_count,
    accept_in_other_buffer = vim.api.nvim_buf_call(scratch, function()
      return vim.fn.maparg('<M-l>', 'i') ~= ''
    end),
  }
end

-- 6. :checkhealth hpclsp, captured from the health buffer.
function steps.checkhealth(_)
  vim.cmd('checkhealth hpclsp')
  local text = wait_for(function()
    local t = buf_text(0)
    return t:find('hpclsp', 1, true) and t:find('OK', 1, true) and t
  end, 30000) or buf_text(0)
  return { text = text }
end

-- 7. The plugin's user commands exist.
function steps.commands(_)
  local cmds = vim.api.nvim_get_commands({})
  local out = {}
  for _, name in ipairs({ 'HpclspExplain', 'HpclspAskDocs', 'HpclspSuggest', 'HpclspRebuildIndex' }) do
    out[name] = cmds[name] ~= nil
  end
  return out
end

local order = { 'c_diagnostics', 'code_action', 'hover', 'fortran_diagnostics', 'inlay_hints', 'signature_and_symbols', 'keymaps', 'inline_completion', 'ghost_fallback', 'checkhealth', 'commands' }

co = coroutine.create(function()
  local model = os.getenv('HPCLSP_NVIM_MODEL') or 'default'
  local settings = model == 'none' and { model = { backend = 'none' } } or vim.empty_dict()
  require('hpclsp').setup({
    cmd = { python, '-m', 'hpclsp', 'serve' },
    settings = settings,
    keys = { accept_inline = '<M-l>' }, -- the plugin maps nothing unless asked
  })
  local ctx = { c = os.getenv('HPCLSP_NVIM_C'), f90 = os.getenv('HPCLSP_NVIM_F90'), halo = os.getenv('HPCLSP_NVIM_HALO') }
  for _, name in ipairs(order) do
    if wanted.all or wanted[name] then
      local t0 = vim.uv.hrtime()
      local ok, res = pcall(steps[name], ctx)
      if ok then
        res.seconds = (vim.uv.hrtime() - t0) / 1e9
        result.steps[name] = res
      else
        result.steps[name] = { error = tostring(res) }
        table.insert(result.errors, name .. ': ' .. tostring(res))
      end
    end
  end
  finish()
end)

vim.schedule(resume)
