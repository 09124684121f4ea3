// The extension's decisions that need no editor: how to start the server, what part of the
// `hpclsp` settings goes to the server, when a settings change needs a restart, and what the
// status bar says. Kept free of the `vscode` module so node tests can run it as compiled.

import * as fs from 'fs';
import * as path from 'path';

/** The client-side settings under `hpclsp.server` (never sent to the server). */
export interface ServerLaunchSettings {
  /** An explicit `hpclsp` executable. */
  path?: string;
  /** A Python interpreter that has hpclsp installed: runs `python -m hpclsp serve`. */
  pythonPath?: string;
  /** Extra arguments after `serve` (e.g. `--log-file`). */
  args?: string[];
  /** Extra environment for the server process. */
  env?: Record<string, string>;
}

export interface ServerCommand {
  command: string;
  args: string[];
  env: Record<string, string>;
  /** How the command was found, for the log and the status tooltip. */
  source: 'server.path' | 'server.pythonPath' | 'PATH' | 'not found';
}

/** Keys of the `hpclsp` section that belong to the client, not to the server. */
export const CLIENT_ONLY_KEYS = ['server', 'trace', 'statusBar'];

/** VS Code language ids the extension serves (C, C++, CUDA and the Fortran variants). */
export const LANGUAGE_IDS = [
  'c',
  'cpp',
  'cuda',
  'cuda-cpp',
  'fortran',
  'fortran_fixed-form',
  'fortran_free-form',
  'FortranFreeForm',
  'FortranFixedForm',
  'fortran90',
];

type Exists = (p: string) => boolean;

function isExecutable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The first `name` on PATH (with the Windows extensions), or undefined. */
export function findOnPath(
  name: string,
  envPath: string | undefined = process.env.PATH,
  exists: Exists = isExecutable,
): string | undefined {
  const exts = process.platform === 'win32' ? ['.exe', '.cmd', '.bat', ''] : [''];
  for (const dir of (envPath ?? '').split(path.delimiter)) {
    if (!dir) {
      continue;
    }
    for (const ext of exts) {
      const candidate = path.join(dir, name + ext);
      if (exists(candidate)) {
        return candidate;
      }
    }
  }
  return undefined;
}

/** Expand `~` and `${workspaceFolder}` in a configured path. */
export function expandPath(p: string, workspaceFolder?: string, home: string = process.env.HOME ?? ''): string {
  let out = p.trim();
  if (out === '~' || out.startsWith('~/')) {
    out = home + out.slice(1);
  }
  if (workspaceFolder) {
    out = out.split('${workspaceFolder}').join(workspaceFolder);
  }
  return out;
}

/**
 * How to start the server: `hpclsp.server.path` wins, then `hpclsp.server.pythonPath`
 * (`python -m hpclsp serve`), then `hpclsp` on PATH.
 */
export function resolveServerCommand(
  settings: ServerLaunchSettings,
  opts: { envPath?: string; workspaceFolder?: string; exists?: Exists } = {},
): ServerCommand {
  const extra = (settings.args ?? []).filter((a) => typeof a === 'string');
  const env = { ...(settings.env ?? {}) };
  if (settings.path && settings.path.trim()) {
    return { command: expandPath(settings.path, opts.workspaceFolder), args: ['serve', ...extra], env, source: 'server.path' };
  }
  if (settings.pythonPath && settings.pythonPath.trim()) {
    return {
      command: expandPath(settings.pythonPath, opts.workspaceFolder),
      args: ['-m', 'hpclsp', 'serve', ...extra],
      env,
      source: 'server.pythonPath',
    };
  }
  const onPath = findOnPath('hpclsp', opts.envPath ?? process.env.PATH, opts.exists ?? isExecutable);
  if (onPath) {
    return { command: onPath, args: ['serve', ...extra], env, source: 'PATH' };
  }
  return { command: 'hpclsp', args: ['serve', ...extra], env, source: 'not found' };
}

/** A stable key of the server command: the client restarts the server only when it changes. */
export function serverCommandKey(cmd: ServerCommand): string {
  const env = Object.keys(cmd.env)
    .sort()
    .map((k) => `${k}=${cmd.env[k]}`);
  return JSON.stringify([cmd.command, cmd.args, env]);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep-copy settings, dropping `undefined` and functions (VS Code's configuration proxies carry both). */
function plain(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(plain);
  }
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v !== undefined && typeof v !== 'function') {
        out[k] = plain(v);
      }
    }
    return out;
  }
  return value;
}

/**
 * The `hpclsp` section as the server should see it: client-only keys removed. In an untrusted
 * folder (Restricted Mode) the model backend is `none`, whatever the settings say: the server
 * then runs static analysis only.
 */
export function serverSettings(section: unknown, trusted = true): Record<string, unknown> {
  const plainSection = plain(section);
  const out = isPlainObject(plainSection) ? plainSection : {};
  for (const key of CLIENT_ONLY_KEYS) {
    delete out[key];
  }
  if (!trusted) {
    out.model = { ...(isPlainObject(out.model) ? out.model : {}), backend: 'none' };
  }
  return out;
}

/**
 * Answer a `workspace/configuration` request: each item asking for the `hpclsp` section (or a
 * sub-section such as `hpclsp.model`) gets the server part of the settings; others get null.
 */
export function answerConfiguration(
  items: { section?: string; scopeUri?: string }[],
  read: (scopeUri?: string) => unknown,
  trusted = true,
): unknown[] {
  return items.map((item) => {
    const section = item.section ?? '';
    if (section !== 'hpclsp' && !section.startsWith('hpclsp.')) {
      return null;
    }
    let value: unknown = serverSettings(read(item.scopeUri), trusted);
    for (const part of section.split('.').slice(1)) {
      value = isPlainObject(value) ? value[part] : undefined;
    }
    return value === undefined ? null : value;
  });
}

/** What the server's `hpclsp.modelStatus` command reports. */
export interface ModelStatus {
  state?: string;
  model?: string | null;
  backend?: string;
  error?: string | null;
  loadSeconds?: number;
}

/** Status bar text and tooltip for a server state and the model status. */
export function statusText(
  server: 'starting' | 'running' | 'stopped' | 'failed',
  model?: ModelStatus,
  progress?: string,
  trusted = true,
): { text: string; tooltip: string } {
  if (!trusted && server === 'running' && !progress) {
    return {
      text: '$(shield) hpclsp',
      tooltip: 'hpclsp: Restricted Mode — static analysis only, no model (trust the folder to enable it)',
    };
  }
  if (server === 'failed') {
    return { text: '$(error) hpclsp', tooltip: 'hpclsp: the server failed to start — see the hpclsp output' };
  }
  if (server === 'stopped') {
    return { text: '$(circle-slash) hpclsp', tooltip: 'hpclsp: server stopped' };
  }
  if (server === 'starting') {
    return { text: '$(sync~spin) hpclsp', tooltip: 'hpclsp: starting the server' };
  }
  if (progress) {
    return { text: `$(sync~spin) hpclsp: ${progress}`, tooltip: `hpclsp: ${progress}` };
  }
  const state = model?.state ?? 'idle';
  const name = model?.model ? path.basename(String(model.model)) : 'embedded model';
  switch (state) {
    case 'ready':
      return { text: '$(check) hpclsp', tooltip: `hpclsp: static analysis on; model ${name} ready` };
    case 'loading':
      return { text: '$(sync~spin) hpclsp: model', tooltip: `hpclsp: loading ${name}` };
    case 'failed':
      return {
        text: '$(warning) hpclsp',
        tooltip: `hpclsp: static analysis on; model failed: ${model?.error ?? 'unknown error'}`,
      };
    case 'disabled':
      return { text: '$(check) hpclsp (no model)', tooltip: 'hpclsp: static analysis on; model backend "none"' };
    default:
      return { text: '$(check) hpclsp', tooltip: 'hpclsp: static analysis on; model loads on first use' };
  }
}

/** A level of VS Code's log output channel. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const SERVER_RECORD = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (DEBUG|INFO|WARNING|ERROR|CRITICAL) (.*)$/;
const LEVELS: Record<string, LogLevel> = { DEBUG: 'debug', INFO: 'info', WARNING: 'warn', ERROR: 'error', CRITICAL: 'error' };

/**
 * One line of the server's stderr as a log record: the server's own records (`serve` logs
 * "time LEVEL name: message") keep their level and lose the timestamp the channel adds again; any
 * other line (a traceback's continuation) takes the level of the record before it, and output before
 * any record (a crash at start) is an error.
 */
export function serverLogLine(line: string, previous: LogLevel = 'error'): { level: LogLevel; text: string } {
  const m = SERVER_RECORD.exec(line);
  if (!m) return { level: previous, text: line };
  return { level: LEVELS[m[1]], text: m[2] };
}
