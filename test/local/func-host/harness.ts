/**
 * Test harness: transpiles local/func-host and the fixture app into .sandbox/ (so the app
 * resolves durable-functions and @azure/functions from /work/main/node_modules) and runs the
 * host as a child process, exactly as `node dist/local/func-host/main.js` would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';

const ROOT = path.resolve(__dirname, '../../..');
const HOST_SRC = path.join(ROOT, 'local/func-host');
const APP_SRC = path.join(ROOT, 'test/fixtures/func-app');

function listTs(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...listTs(p));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

function transpileInto(srcDir: string, outDir: string): void {
  for (const file of listTs(srcDir)) {
    const rel = path.relative(srcDir, file).replace(/\.ts$/, '.js');
    const { outputText } = ts.transpileModule(fs.readFileSync(file, 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, sourceMap: false },
      fileName: file,
    });
    fs.mkdirSync(path.dirname(path.join(outDir, rel)), { recursive: true });
    fs.writeFileSync(path.join(outDir, rel), outputText);
  }
}

export interface Build {
  hostMain: string;
  appDir: string;
}

/** Builds once per source content (shared by parallel jest workers through an atomic rename). */
export function build(): Build {
  const hash = createHash('sha256');
  for (const f of [...listTs(HOST_SRC), ...listTs(APP_SRC), path.join(APP_SRC, 'package.json'), path.join(APP_SRC, 'host.json')].sort()) {
    hash.update(f).update(fs.readFileSync(f));
  }
  const dir = path.join(ROOT, '.sandbox', `func-host-test-${hash.digest('hex').slice(0, 12)}`);
  const result = { hostMain: path.join(dir, 'host', 'main.js'), appDir: path.join(dir, 'app') };
  if (fs.existsSync(result.hostMain)) return result;
  // drop builds of older sources (more than an hour old)
  for (const e of fs.existsSync(path.dirname(dir)) ? fs.readdirSync(path.dirname(dir)) : []) {
    const p = path.join(path.dirname(dir), e);
    if (e.startsWith('func-host-test-') && p !== dir && Date.now() - fs.statSync(p).mtimeMs > 3_600_000) fs.rmSync(p, { recursive: true, force: true });
  }
  const tmp = `${dir}.${process.pid}.${randomBytes(4).toString('hex')}`;
  transpileInto(HOST_SRC, path.join(tmp, 'host'));
  transpileInto(path.join(APP_SRC, 'src'), path.join(tmp, 'app', 'dist'));
  fs.copyFileSync(path.join(APP_SRC, 'package.json'), path.join(tmp, 'app', 'package.json'));
  fs.copyFileSync(path.join(APP_SRC, 'host.json'), path.join(tmp, 'app', 'host.json'));
  try {
    fs.renameSync(tmp, dir);
  } catch {
    fs.rmSync(tmp, { recursive: true, force: true }); // another worker won the race
  }
  return result;
}

export interface Keys {
  masterKey: string;
  functionKeys: Record<string, string>;
  systemKeys: Record<string, string>;
}

export interface RunningHost {
  baseUrl: string;
  keys: Keys;
  functionKey: string;
  stateDir: string;
  sideEffectsFile: string;
  registrations: string[];
  stderr(): string;
  /** SIGTERM: graceful stop. */
  stop(): Promise<void>;
  /** SIGKILL: a crash. */
  kill(): Promise<void>;
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
}

export async function startHost(options: { stateDir: string; sideEffectsFile: string; timeScale?: number; env?: Record<string, string> }): Promise<RunningHost> {
  const { hostMain, appDir } = build();
  const env: Record<string, string> = { SIDE_EFFECTS_FILE: options.sideEffectsFile, TICK_SCHEDULE: '0 0 0 1 1 *', ...(options.env ?? {}) };
  const args = [hostMain, '--app', appDir, '--state', options.stateDir, '--port', '0', '--time-scale', String(options.timeScale ?? 1)];
  for (const [k, v] of Object.entries(env)) args.push('--env', `${k}=${v}`);
  const childEnv = { ...process.env };
  delete childEnv.WEBSITE_HOSTNAME;
  const proc: ChildProcess = spawn(process.execPath, args, { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const ready = await new Promise<{ baseUrl: string; registrations: string[] }>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`host did not start: ${stderr}`)), 20_000);
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.includes('"listening"'));
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line) as { baseUrl: string; registrations: string[] });
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`host exited with ${code}: ${stderr}`));
    });
  });
  const keys = JSON.parse(fs.readFileSync(path.join(options.stateDir, 'keys.json'), 'utf8')) as Keys;
  return {
    baseUrl: ready.baseUrl,
    registrations: ready.registrations,
    keys,
    functionKey: Object.values(keys.functionKeys)[0]!,
    stateDir: options.stateDir,
    sideEffectsFile: options.sideEffectsFile,
    stderr: () => stderr,
    async stop() {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      await exited;
    },
    async kill() {
      if (proc.exitCode === null) proc.kill('SIGKILL');
      await exited;
    },
  };
}

export interface Effect {
  kind: string;
  key: string;
  [k: string]: unknown;
}

export function readEffects(file: string): Effect[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Effect);
}

export async function waitFor<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`waitFor timed out${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export interface Status {
  name: string;
  instanceId: string;
  runtimeStatus: string;
  input: unknown;
  output: unknown;
  customStatus: unknown;
  createdTime: string;
  lastUpdatedTime: string;
  historyEvents?: { EventType: string; [k: string]: unknown }[];
}

/** Status through the durable webhook (system key). */
export async function getStatus(host: RunningHost, instanceId: string, history = false): Promise<Status | undefined> {
  const code = host.keys.systemKeys.durabletask_extension!;
  const res = await fetch(`${host.baseUrl}/runtime/webhooks/durabletask/instances/${encodeURIComponent(instanceId)}?code=${code}&showHistory=${history}&showHistoryOutput=${history}`);
  if (res.status === 404) return undefined;
  return (await res.json()) as Status;
}

export function waitForStatus(host: RunningHost, instanceId: string, predicate: (s: Status) => boolean, timeoutMs = 20_000): Promise<Status> {
  return waitFor(async () => {
    const s = await getStatus(host, instanceId, true);
    return s && predicate(s) ? s : undefined;
  }, timeoutMs);
}

export const isTerminal = (s: Status): boolean => ['Completed', 'Failed', 'Terminated'].includes(s.runtimeStatus);

/** Starts an orchestration through the rpc endpoint the durable client uses. */
export async function startOrchestration(host: RunningHost, name: string, input: unknown, instanceId?: string): Promise<Response> {
  return fetch(`${host.baseUrl}/durabletask/orchestrators/${name}${instanceId ? `/${encodeURIComponent(instanceId)}` : ''}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: input === undefined ? '' : JSON.stringify(input),
  });
}
