/**
 * Runs local/func-host as a child process (`node main.js`, as the sandbox does) on one of the
 * two builds of test/fixtures/versioned-app, with a host.json variant, over a shared stateDir:
 * stopping one build and starting the other is a deploy. Builds go to .sandbox/ (so the app
 * resolves durable-functions from the repo's node_modules), once per source content.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';

const ROOT = path.resolve(__dirname, '../../..');
const HOST_SRC = path.join(ROOT, 'local/func-host');
const APP_SRC = path.join(ROOT, 'test/fixtures/versioned-app');

function listFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

function transpileInto(srcDir: string, outDir: string): void {
  for (const file of listFiles(srcDir).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))) {
    const { outputText } = ts.transpileModule(fs.readFileSync(file, 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
      fileName: file,
    });
    const out = path.join(outDir, path.relative(srcDir, file).replace(/\.ts$/, '.js'));
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, outputText);
  }
}

/** `<dir>/host/main.js` and `<dir>/build-1`, `<dir>/build-2` (each with package.json + host.json). */
function buildAll(): string {
  const hash = createHash('sha256');
  for (const f of [...listFiles(HOST_SRC), ...listFiles(APP_SRC)].sort()) hash.update(f).update(fs.readFileSync(f));
  const dir = path.join(ROOT, '.sandbox', `func-host-versioning-${hash.digest('hex').slice(0, 12)}`);
  if (fs.existsSync(path.join(dir, 'host', 'main.js'))) return dir;
  const tmp = `${dir}.${process.pid}.${randomBytes(4).toString('hex')}`;
  transpileInto(HOST_SRC, path.join(tmp, 'host'));
  for (const b of ['build-1', 'build-2']) {
    transpileInto(path.join(APP_SRC, b, 'src'), path.join(tmp, b, 'dist'));
    for (const f of ['package.json', 'host.json']) fs.copyFileSync(path.join(APP_SRC, b, f), path.join(tmp, b, f));
  }
  try {
    fs.renameSync(tmp, dir);
  } catch {
    fs.rmSync(tmp, { recursive: true, force: true }); // another worker built it first
  }
  return dir;
}

export interface VersionedHost {
  baseUrl: string;
  stderr(): string;
  stop(): Promise<void>;
}

export interface Strategies {
  versionMatchStrategy: 'None' | 'Strict' | 'CurrentOrOlder';
  versionFailureStrategy: 'Reject' | 'Fail';
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
}

/** Starts build 1 or 2 on `stateDir`, its host.json extended with the given strategies. */
export async function startBuild(build: 1 | 2, stateDir: string, strategies: Strategies): Promise<VersionedHost> {
  const dir = buildAll();
  const appDir = path.join(dir, `build-${build}`);
  const hostJson = JSON.parse(fs.readFileSync(path.join(appDir, 'host.json'), 'utf8')) as { extensions: { durableTask: Record<string, unknown> } };
  Object.assign(hostJson.extensions.durableTask, strategies);
  const hostJsonFile = path.join(path.dirname(stateDir), `host-${build}-${randomBytes(3).toString('hex')}.json`);
  fs.writeFileSync(hostJsonFile, JSON.stringify(hostJson));
  const args = [path.join(dir, 'host', 'main.js'), '--app', appDir, '--state', stateDir, '--port', '0', '--host-json', hostJsonFile];
  const env = { ...process.env };
  delete env.WEBSITE_HOSTNAME;
  const proc: ChildProcess = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const baseUrl = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`host did not start: ${stderr}`)), 20_000);
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.includes('"listening"'));
      if (line) {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { baseUrl: string }).baseUrl);
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`host exited with ${code}: ${stderr}`));
    });
  });
  return {
    baseUrl,
    stderr: () => stderr,
    async stop() {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      await exited;
    },
  };
}

export interface Status {
  runtimeStatus: string;
  output: unknown;
  customStatus: unknown;
  historyEvents?: { EventType: string; [k: string]: unknown }[];
}

/** The durable client's own endpoints (`rpcBaseUrl`, no key). */
export async function startFlow(host: VersionedHost, instanceId: string, version?: string): Promise<number> {
  const q = version === undefined ? '' : `?version=${encodeURIComponent(version)}`;
  const res = await fetch(`${host.baseUrl}/durabletask/orchestrators/versionedFlow/${instanceId}${q}`, { method: 'POST', body: '' });
  await res.text();
  return res.status;
}

export async function raiseGo(host: VersionedHost, instanceId: string, data: string): Promise<number> {
  const res = await fetch(`${host.baseUrl}/durabletask/instances/${instanceId}/raiseEvent/Go`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(data) });
  await res.text();
  return res.status;
}

export async function getStatus(host: VersionedHost, instanceId: string): Promise<Status> {
  const res = await fetch(`${host.baseUrl}/durabletask/instances/${instanceId}?showHistory=true&showHistoryOutput=true`);
  if (res.status === 404) throw new Error(`no instance ${instanceId}`);
  return (await res.json()) as Status;
}

export async function waitForStatus(host: VersionedHost, instanceId: string, predicate: (s: Status) => boolean, timeoutMs = 20_000): Promise<Status> {
  const deadline = Date.now() + timeoutMs;
  let last: Status | undefined;
  for (;;) {
    last = await getStatus(host, instanceId).catch(() => undefined);
    if (last && predicate(last)) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${instanceId}; last status ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function waitUntil(probe: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const isTerminal = (s: Status): boolean => ['Completed', 'Failed', 'Terminated'].includes(s.runtimeStatus);
/** Waiting on 'Go': the first step is done and the custom status says so. */
export const isWaiting = (s: Status): boolean => s.runtimeStatus === 'Running' && s.customStatus === 'waiting';
