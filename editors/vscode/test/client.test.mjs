// The extension's client logic (compiled out/settings.js) driving the real server over stdio.
// The JSON-RPC side is vscode-languageserver-protocol, the library vscode-languageclient itself
// speaks through; the full LanguageClient inside a real VS Code is tested by
// tests/editors/test_codeserver.py. Run by tests/editors/test_vscode.py with
// HPCLSP_TEST_PYTHON (a Python that can `-m hpclsp serve`) and HPCLSP_TEST_RACY_C set.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const s = require('../out/settings.js');
const rpc = require('vscode-languageserver-protocol/node');

test('server command precedence: server.path, then pythonPath, then PATH', () => {
  const never = () => false;
  assert.deepEqual(s.resolveServerCommand({ path: '/opt/hpclsp', pythonPath: '/usr/bin/python3' }, { exists: never }).args, [
    'serve',
  ]);
  const py = s.resolveServerCommand({ pythonPath: '~/venv/bin/python', args: ['--log-file', 'x'] }, { exists: never });
  assert.equal(py.command, `${process.env.HOME}/venv/bin/python`);
  assert.deepEqual(py.args, ['-m', 'hpclsp', 'serve', '--log-file', 'x']);
  assert.equal(py.source, 'server.pythonPath');
  const onPath = s.resolveServerCommand({}, { envPath: '/a:/b', exists: (p) => p === '/b/hpclsp' });
  assert.equal(onPath.command, '/b/hpclsp');
  assert.equal(onPath.source, 'PATH');
  assert.equal(s.resolveServerCommand({}, { envPath: '/a', exists: never }).source, 'not found');
  const ws = s.resolveServerCommand({ pythonPath: '${workspaceFolder}/.venv/bin/python' }, { workspaceFolder: '/w', exists: never });
  assert.equal(ws.command, '/w/.venv/bin/python');
});

test('restart key changes with the server command only', () => {
  const a = s.resolveServerCommand({ pythonPath: '/p' });
  const b = s.resolveServerCommand({ pythonPath: '/p' });
  const c = s.resolveServerCommand({ pythonPath: '/q' });
  const d = s.resolveServerCommand({ pythonPath: '/p', env: { X: '1' } });
  assert.equal(s.serverCommandKey(a), s.serverCommandKey(b));
  assert.notEqual(s.serverCommandKey(a), s.serverCommandKey(c));
  assert.notEqual(s.serverCommandKey(a), s.serverCommandKey(d));
});

test('client-only keys never reach the server', () => {
  const section = { server: { pythonPath: '/p' }, trace: { server: 'off' }, model: { backend: 'none', path: undefined }, indexes: ['/x'] };
  assert.deepEqual(s.serverSettings(section), { model: { backend: 'none' }, indexes: ['/x'] });
  const answers = s.answerConfiguration(
    [{ section: 'hpclsp' }, { section: 'hpclsp.model' }, { section: 'editor' }, { section: 'hpclsp.server' }],
    () => section,
  );
  assert.deepEqual(answers, [{ model: { backend: 'none' }, indexes: ['/x'] }, { backend: 'none' }, null, null]);
});

test('Restricted Mode: static analysis only, whatever the settings say', () => {
  const section = { model: { backend: 'llama-cpp', path: '/w/evil.gguf' }, diagnostics: { ignore: ['mpi-'] } };
  assert.deepEqual(s.serverSettings(section, false), {
    model: { backend: 'none', path: '/w/evil.gguf' },
    diagnostics: { ignore: ['mpi-'] },
  });
  assert.deepEqual(s.serverSettings({}, false), { model: { backend: 'none' } });
  assert.deepEqual(s.serverSettings(section, true).model, { backend: 'llama-cpp', path: '/w/evil.gguf' });
  const answers = s.answerConfiguration([{ section: 'hpclsp.model' }, { section: 'hpclsp' }], () => section, false);
  assert.equal(answers[0].backend, 'none');
  assert.equal(answers[1].model.backend, 'none');
  assert.match(s.statusText('running', { state: 'disabled' }, undefined, false).tooltip, /Restricted Mode/);
});

test('status bar text follows the model state', () => {
  assert.match(s.statusText('running', { state: 'ready', model: '/m/gemma.gguf' }).tooltip, /gemma\.gguf ready/);
  assert.match(s.statusText('running', { state: 'loading' }).text, /sync~spin/);
  assert.match(s.statusText('running', { state: 'failed', error: 'no file' }).tooltip, /no file/);
  assert.match(s.statusText('failed').text, /error/);
});

/** Start the server the way the extension would, and speak LSP to it. */
function startServer(section, trusted = true) {
  const python = process.env.HPCLSP_TEST_PYTHON;
  assert.ok(python, 'HPCLSP_TEST_PYTHON is not set');
  const cmd = s.resolveServerCommand({ ...section.server });
  assert.equal(cmd.source, 'server.pythonPath');
  const proc = spawn(cmd.command, cmd.args, { env: { ...process.env, ...cmd.env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => (stderr += d));
  const conn = rpc.createProtocolConnection(new rpc.StreamMessageReader(proc.stdout), new rpc.StreamMessageWriter(proc.stdin));
  const messages = [];
  const diagnostics = new Map();
  const waiters = [];
  conn.onNotification('window/showMessage', (p) => messages.push(p.message));
  conn.onNotification('window/logMessage', () => {});
  conn.onNotification('textDocument/publishDiagnostics', (p) => {
    diagnostics.set(p.uri, p.diagnostics);
    for (const w of [...waiters]) w();
  });
  conn.onRequest('workspace/configuration', (p) => s.answerConfiguration(p.items, () => section, trusted));
  conn.onRequest('client/registerCapability', () => null);
  conn.onRequest('window/workDoneProgress/create', () => null);
  conn.onNotification('$/progress', () => {});
  conn.listen();
  const waitDiagnostics = (uri, pred, ms = 20000) =>
    new Promise((resolve, reject) => {
      const check = () => {
        const d = diagnostics.get(uri);
        if (d && pred(d)) {
          waiters.splice(waiters.indexOf(check), 1);
          clearTimeout(timer);
          resolve(d);
        }
      };
      const timer = setTimeout(() => reject(new Error(`no matching diagnostics in ${ms} ms; last: ${JSON.stringify(diagnostics.get(uri))}\n${stderr.slice(-2000)}`)), ms);
      waiters.push(check);
      check();
    });
  return { proc, conn, messages, waitDiagnostics, stderr: () => stderr };
}

test('the extension settings and launch logic against the real server', { timeout: 90000 }, async () => {
  const racy = process.env.HPCLSP_TEST_RACY_C;
  assert.ok(racy, 'HPCLSP_TEST_RACY_C is not set');
  const text = readFileSync(racy, 'utf8');
  const lines = text.split('\n');
  // What VS Code's configuration would hold: client keys, server keys, and defaults.
  const section = {
    server: { pythonPath: process.env.HPCLSP_TEST_PYTHON, args: [], env: {} },
    trace: { server: 'off' },
    model: { backend: 'none', path: '' },
    diagnostics: { select: [], ignore: [], lowConfidence: true },
    suggestions: { hints: true },
    completion: { inline: { enabled: true, debounceMs: 200 }, verify: 'drop' },
    indexes: [],
  };
  const srv = startServer(section);
  try {
    const uri = pathToFileURL(racy).href;
    const init = await srv.conn.sendRequest('initialize', {
      processId: process.pid,
      rootUri: null,
      capabilities: {
        workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true } },
        textDocument: {
          publishDiagnostics: { relatedInformation: true },
          hover: { contentFormat: ['markdown', 'plaintext'] },
          codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'refactor.rewrite'] } } },
          inlineCompletion: {},
        },
        window: { workDoneProgress: true },
      },
      initializationOptions: s.serverSettings(section),
    });
    assert.ok(init.capabilities.hoverProvider, 'no hoverProvider');
    assert.ok(init.capabilities.codeActionProvider, 'no codeActionProvider');
    assert.ok(init.capabilities.inlineCompletionProvider, 'no inlineCompletionProvider');
    await srv.conn.sendNotification('initialized', {});
    await srv.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'c', version: 1, text } });
    const diags = await srv.waitDiagnostics(uri, (d) => d.some((x) => x.code === 'omp-race-missing-reduction'));
    const race = diags.find((x) => x.code === 'omp-race-missing-reduction');
    assert.equal(race.source, 'hpclsp');
    assert.equal(race.range.start.line, lines.findIndex((l) => l.includes('total += weight[i]')));

    const loop = lines.findIndex((l, i) => i > lines.findIndex((x) => x.includes('void scale_all')) && /^\s*for /.test(l));
    const actions = await srv.conn.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: { line: loop, character: 2 }, end: { line: loop, character: 2 } },
      context: { diagnostics: [], only: ['refactor.rewrite.parallelize'] },
    });
    const par = actions.find((a) => a.kind === 'refactor.rewrite.parallelize');
    assert.ok(par, `no parallelize action: ${JSON.stringify(actions)}`);
    assert.equal(par.title, 'Parallelize loop: #pragma omp parallel for');

    const dep = lines.findIndex((l, i) => i > lines.findIndex((x) => x.includes('void running_sum')) && /^\s*for /.test(l));
    const hover = await srv.conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: dep, character: 3 } });
    assert.match(hover.contents.value, /cannot be parallelized/);

    // A settings change is re-pulled by the server without a restart, and takes effect.
    section.diagnostics.ignore = ['omp-race'];
    await srv.conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
    await srv.waitDiagnostics(uri, (d) => !d.some((x) => String(x.code).startsWith('omp-race')));
    // The client-only keys (server, trace) were never reported as unknown settings.
    assert.deepEqual(srv.messages.filter((m) => /server|trace|unknown/i.test(m)), []);
    await srv.conn.sendRequest('shutdown');
    await srv.conn.sendNotification('exit');
  } finally {
    srv.conn.dispose();
    srv.proc.kill();
  }
});

test('Restricted Mode against the real server: static analysis on, model off', { timeout: 90000 }, async () => {
  const racy = process.env.HPCLSP_TEST_RACY_C;
  const text = readFileSync(racy, 'utf8');
  // The user asked for the local model; the folder is untrusted.
  const section = {
    server: { pythonPath: process.env.HPCLSP_TEST_PYTHON, args: [], env: {} },
    model: { backend: 'llama-cpp', path: '' },
  };
  const srv = startServer(section, false);
  try {
    const uri = pathToFileURL(racy).href;
    await srv.conn.sendRequest('initialize', {
      processId: process.pid,
      rootUri: null,
      capabilities: { workspace: { configuration: true }, textDocument: { publishDiagnostics: {} } },
      initializationOptions: s.serverSettings(section, false),
    });
    await srv.conn.sendNotification('initialized', {});
    await srv.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'c', version: 1, text } });
    await srv.waitDiagnostics(uri, (d) => d.some((x) => x.code === 'omp-race-missing-reduction'));
    const status = await srv.conn.sendRequest('workspace/executeCommand', { command: 'hpclsp.modelStatus', arguments: [] });
    assert.equal(status.state, 'disabled', JSON.stringify(status));
    await srv.conn.sendRequest('shutdown');
    await srv.conn.sendNotification('exit');
  } finally {
    srv.conn.dispose();
    srv.proc.kill();
  }
});

test('server stderr keeps each record level; continuation lines follow their record', () => {
  assert.deepEqual(s.serverLogLine('2026-12-02 17:58:50,031 INFO hpclsp.server: ready'), {
    level: 'info',
    text: 'hpclsp.server: ready',
  });
  assert.equal(s.serverLogLine('2026-12-02 17:58:50,031 WARNING hpclsp.x: slow').level, 'warn');
  assert.equal(s.serverLogLine('2026-12-02 17:58:50,031 CRITICAL hpclsp.x: dead').level, 'error');
  assert.deepEqual(s.serverLogLine('  File "x.py", line 3', 'warn'), { level: 'warn', text: '  File "x.py", line 3' });
  assert.equal(s.serverLogLine('Traceback (most recent call last):').level, 'error');
});
