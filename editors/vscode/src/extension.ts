// hpclsp for VS Code: starts the hpclsp language server for C, C++, CUDA and Fortran files and
// adds what LSP alone does not give: commands (explain, ask docs, parallelize, rebuild index), a
// status bar item with the model state, and a restart only when the server command changes.

import * as readline from 'node:readline';
import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
} from 'vscode-languageclient/node';

import {
  LANGUAGE_IDS,
  LogLevel,
  ModelStatus,
  ServerCommand,
  ServerLaunchSettings,
  answerConfiguration,
  resolveServerCommand,
  serverCommandKey,
  serverLogLine,
  serverSettings,
  statusText,
} from './settings';

let client: LanguageClient | undefined;
let currentKey = '';
let output: vscode.LogOutputChannel;
let status: vscode.StatusBarItem;
let pollTimer: NodeJS.Timeout | undefined;
let serverState: 'starting' | 'running' | 'stopped' | 'failed' = 'stopped';
let lastModel: ModelStatus | undefined;

/** The extension's public surface (used by tests and other extensions). */
export interface HpclspApi {
  client(): LanguageClient | undefined;
  serverCommand(): ServerCommand;
  restartCount(): number;
}
let restarts = 0;

function workspaceFolder(): string | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
}

function launchSettings(): ServerLaunchSettings {
  const cfg = vscode.workspace.getConfiguration('hpclsp.server');
  return {
    path: cfg.get<string>('path') || undefined,
    pythonPath: cfg.get<string>('pythonPath') || undefined,
    args: cfg.get<string[]>('args') ?? [],
    env: cfg.get<Record<string, string>>('env') ?? {},
  };
}

function currentCommand(): ServerCommand {
  return resolveServerCommand(launchSettings(), { workspaceFolder: workspaceFolder() });
}

/** The `hpclsp` section for a scope, as plain JSON. */
function readSection(scopeUri?: string): unknown {
  const scope = scopeUri ? vscode.Uri.parse(scopeUri) : undefined;
  return JSON.parse(JSON.stringify(vscode.workspace.getConfiguration('hpclsp', scope)));
}

/** False in an untrusted folder (Restricted Mode): the server then runs without a model. */
function trusted(): boolean {
  return vscode.workspace.isTrusted;
}

function updateStatus(progress?: string): void {
  const { text, tooltip } = statusText(serverState, lastModel, progress, trusted());
  status.text = text;
  status.tooltip = `${tooltip}\nClick to show the hpclsp log.`;
  status.show();
}

async function execute<T>(command: string, args: unknown[]): Promise<T | undefined> {
  if (!client || !client.isRunning()) {
    void vscode.window.showWarningMessage('hpclsp: the server is not running.');
    return undefined;
  }
  return (await client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args })) as T;
}

async function pollModel(): Promise<void> {
  if (pollTimer) {
    clearTimeout(pollTimer);
    pollTimer = undefined;
  }
  if (!client || !client.isRunning()) {
    return;
  }
  try {
    lastModel = (await client.sendRequest(ExecuteCommandRequest.type, {
      command: 'hpclsp.modelStatus',
      arguments: [],
    })) as ModelStatus;
  } catch (err) {
    output.debug(`hpclsp.modelStatus failed: ${String(err)}`);
  }
  updateStatus();
  const state = lastModel?.state;
  if (state !== 'ready' && state !== 'failed' && state !== 'disabled') {
    pollTimer = setTimeout(() => void pollModel(), 2000);
  }
}

function pipeLines(input: NodeJS.ReadableStream, each: (line: string) => void): void {
  readline.createInterface({ input, crlfDelay: Infinity, terminal: false, historySize: 0 }).on('line', each);
}

function createClient(cmd: ServerCommand): LanguageClient {
  const serverOptions: ServerOptions = {
    command: cmd.command,
    args: cmd.args,
    options: { env: { ...process.env, ...cmd.env }, cwd: workspaceFolder() },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: LANGUAGE_IDS.flatMap((language) => [
      { scheme: 'file', language },
      { scheme: 'untitled', language },
    ]),
    initializationOptions: serverSettings(readSection(), trusted()),
    outputChannel: output,
    // The client's default writes every stderr line as an error; the server logs all its records there.
    stdioOptions: {
      stdout: (input, channel) => pipeLines(input, (line) => channel.info(line)),
      stderr: (input, channel) => {
        let level: LogLevel = 'error';
        pipeLines(input, (line) => {
          const rec = serverLogLine(line, level);
          level = rec.level;
          channel[rec.level](rec.text);
        });
      },
    },
    middleware: {
      workspace: {
        // The server pulls `hpclsp`; it gets that section without the client-only keys.
        configuration: (params) => answerConfiguration(params.items, readSection, trusted()),
      },
    },
  };
  const c = new LanguageClient('hpclsp', 'hpclsp', serverOptions, clientOptions);
  c.onDidChangeState((e) => {
    serverState = e.newState === State.Running ? 'running' : e.newState === State.Starting ? 'starting' : 'stopped';
    updateStatus();
    if (e.newState === State.Running) {
      void pollModel();
    }
  });
  return c;
}

async function start(): Promise<void> {
  const cmd = currentCommand();
  currentKey = serverCommandKey(cmd);
  output.info(`starting the server (${cmd.source}): ${cmd.command} ${cmd.args.join(' ')}`);
  if (!trusted()) {
    output.info('Restricted Mode: static analysis only, model backend "none"');
  }
  if (cmd.source === 'not found') {
    void vscode.window.showWarningMessage(
      'hpclsp: no server found. Set "hpclsp.server.pythonPath" to a Python with hpclsp installed, ' +
        'or put `hpclsp` on PATH.',
    );
  }
  client = createClient(cmd);
  serverState = 'starting';
  updateStatus();
  try {
    await client.start();
  } catch (err) {
    serverState = 'failed';
    updateStatus();
    output.error(`the server failed to start: ${String(err)}`);
  }
}

async function stop(): Promise<void> {
  if (pollTimer) {
    clearTimeout(pollTimer);
    pollTimer = undefined;
  }
  const c = client;
  client = undefined;
  if (c) {
    try {
      await c.stop(5000);
    } catch (err) {
      output.warn(`stopping the server: ${String(err)}`);
    }
  }
}

async function restart(): Promise<void> {
  restarts += 1;
  await stop();
  lastModel = undefined;
  await start();
}

/** Restart only when the server command changed; otherwise let the server re-pull its settings. */
async function onConfigurationChanged(e: vscode.ConfigurationChangeEvent): Promise<void> {
  if (!e.affectsConfiguration('hpclsp')) {
    return;
  }
  if (serverCommandKey(currentCommand()) !== currentKey) {
    output.info('the server command changed: restarting the server');
    await restart();
    return;
  }
  if (client && client.isRunning()) {
    await client.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
    setTimeout(() => void pollModel(), 500);
  }
}

async function showMarkdown(title: string, result: unknown): Promise<void> {
  let text: string;
  if (typeof result === 'string') {
    text = result;
  } else if (result && typeof result === 'object') {
    const r = result as Record<string, unknown>;
    text = String(r.markdown ?? r.answer ?? r.text ?? JSON.stringify(result, null, 2));
    const sources = Array.isArray(r.sources) ? (r.sources as Record<string, unknown>[]) : [];
    if (sources.length && !text.includes('Sources')) {
      text += '\n\n**Sources**\n' + sources.map((s) => `- ${s.title ?? ''} (${s.source ?? ''})`).join('\n');
    }
  } else {
    text = '_No answer._';
  }
  const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: `# ${title}\n\n${text}\n` });
  await vscode.commands.executeCommand('markdown.showPreviewToSide', doc.uri);
}

function registerCommands(context: vscode.ExtensionContext): void {
  const reg = (id: string, fn: (...args: unknown[]) => unknown) =>
    context.subscriptions.push(vscode.commands.registerCommand(id, fn));

  reg('hpclsp.editor.explain', async () => {
    const editor = vscode.window.activeTextEditor;
    if (!editor || !client) {
      return;
    }
    const sel = editor.selection;
    const range = sel.isEmpty ? editor.document.lineAt(sel.active.line).range : sel;
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'hpclsp: explaining…' },
      () =>
        execute('hpclsp.explain', [editor.document.uri.toString(), client!.code2ProtocolConverter.asRange(range)]),
    );
    if (result !== undefined) {
      await showMarkdown('hpclsp: explanation', result);
    }
  });

  reg('hpclsp.editor.askDocs', async (question?: unknown) => {
    const q =
      typeof question === 'string' && question
        ? question
        : await vscode.window.showInputBox({ prompt: 'Ask the HPC documentation (MPI, OpenMP, CUDA, site docs)' });
    if (!q) {
      return;
    }
    const result = await execute('hpclsp.askDocs', [q]);
    if (result !== undefined) {
      await showMarkdown(`hpclsp: ${q}`, result);
    }
  });

  reg('hpclsp.editor.suggestParallelization', async () => {
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      return;
    }
    const result = await execute<{ applied?: boolean; count?: number; message?: string }>(
      'hpclsp.suggestParallelization',
      [editor.document.uri.toString()],
    );
    if (result) {
      const msg = result.applied ? `parallelized ${result.count ?? 0} loop(s)` : result.message ?? 'nothing to do';
      void vscode.window.showInformationMessage(`hpclsp: ${msg}`);
    }
  });

  reg('hpclsp.editor.rebuildIndex', async () => {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'hpclsp: rebuilding the documentation index…' },
      () => execute('hpclsp.rebuildIndex', []),
    );
    if (result !== undefined) {
      void vscode.window.showInformationMessage('hpclsp: index rebuilt');
    }
  });

  reg('hpclsp.editor.restartServer', () => restart());
  reg('hpclsp.editor.showOutput', () => output.show(true));
}

export async function activate(context: vscode.ExtensionContext): Promise<HpclspApi> {
  output = vscode.window.createOutputChannel('hpclsp', { log: true });
  status = vscode.window.createStatusBarItem('hpclsp.status', vscode.StatusBarAlignment.Right, 100);
  status.name = 'hpclsp';
  status.command = 'hpclsp.editor.showOutput';
  context.subscriptions.push(output, status);
  registerCommands(context);
  context.subscriptions.push(vscode.workspace.onDidChangeConfiguration((e) => void onConfigurationChanged(e)));
  // Trusting the folder lifts Restricted Mode: the server re-pulls its settings, model included.
  context.subscriptions.push(
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      output.info('the folder is trusted now: the model backend follows the settings again');
      if (client && client.isRunning()) {
        void client.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
        setTimeout(() => void pollModel(), 500);
      }
      updateStatus();
    }),
  );
  context.subscriptions.push({ dispose: () => void stop() });
  await start();
  return { client: () => client, serverCommand: currentCommand, restartCount: () => restarts };
}

export async function deactivate(): Promise<void> {
  await stop();
}
