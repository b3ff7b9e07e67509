/**
 * Section 6, the package: the size of what azd deploys (dist/package, made by
 * tools/package-app.ts in `npm run build`) and the cold load — a fresh `node` process, from its
 * start until every function is registered — each against its goal (issue 16: ≤ 5 MB, ≤ 300 ms),
 * beside the same two figures for the build as it was deployed before the bundle: tsc's dist/src
 * files with the production node_modules. Both builds are loaded through the local host's own
 * loader (local/func-host/app-loader.ts: the `@azure/functions-core` stand-in, then the files),
 * their samples taken in turn so that whatever else the machine runs weighs on both alike.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { Activities, HttpFunctions, Orchestrators, RunActivities, SweepActivities, Triggers } from '../src/shared/names';
import { filesUnder, packageLayout, PROJECT_ROOT } from '../tools/package-app';
import { median, type BenchRow } from './report';

const MB = 1024 * 1024;
const GOAL_MB = 5;
const GOAL_MS = 300;
/** Set so that the sweep timer registers too: every function of the app. */
const SWEEP_SCHEDULE = '0 0 3 * * *';

/** Every function the app registers with SWEEP_SCHEDULE set. */
export const EXPECTED_FUNCTIONS = [Orchestrators, Activities, RunActivities, SweepActivities, Triggers, HttpFunctions].flatMap((group) => Object.values(group) as string[]);

export interface ColdLoad {
  /** ms from the process's start (performance.timeOrigin) until the last function was registered */
  ms: number;
  /** CPU of the process until then (user + system, every thread), ms */
  cpuMs: number;
  functions: string[];
}

/** The unbundled build's entry files: dist/src/<feature>/functions.js, as package.json `main` named them before. */
export function unbundledEntries(root: string = PROJECT_ROOT): string[] {
  const dist = join(root, 'dist', 'src');
  return readdirSync(dist, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => join(dist, e.name, 'functions.js'))
    .filter((f) => { try { return statSync(f).isFile(); } catch { return false; } })
    .sort();
}

/**
 * One fresh process: the local host's loader loads the package (through its package.json `main`,
 * as the Functions host does) or, with `files`, those files of the project; it prints when the
 * last registration is done.
 */
export function coldLoad(target: { packageDir: string } | { files: string[] }, root: string = PROJECT_ROOT): ColdLoad {
  const loader = join(root, 'dist', 'local', 'func-host', 'app-loader.js');
  const load = 'packageDir' in target
    ? `loader.loadApp(${JSON.stringify(target.packageDir)}, quiet)`
    : `loader.loadAppFiles(${JSON.stringify(root)}, ${JSON.stringify(target.files)}, quiet)`;
  const script = `const loader = require(${JSON.stringify(loader)});
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const app = ${load};
const ms = performance.now();
const cpu = process.cpuUsage();
process.stdout.write(JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000, functions: [...app.registrations.values()].map((r) => r.name) }));`;
  const out = execFileSync(process.execPath, ['-e', script], { cwd: root, env: { PATH: process.env.PATH ?? '', SWEEP_SCHEDULE }, encoding: 'utf8' });
  return JSON.parse(out) as ColdLoad;
}

/** Bytes under a directory (files only; symlinks not followed). */
function bytesUnder(dir: string, skip: (name: string) => boolean = () => false): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (skip(e.name)) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) total += bytesUnder(p, skip);
    else if (e.isFile()) total += statSync(p).size;
  }
  return total;
}

/** The package before the bundle: dist/src JS (no maps), host.json, package.json and the production node_modules (npm ls --omit=dev). */
function unbundledBytes(root: string): number {
  const app = bytesUnder(join(root, 'dist', 'src'), (n) => n.endsWith('.map')) + statSync(join(root, 'host.json')).size + statSync(join(root, 'package.json')).size;
  const parseable = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: root, encoding: 'utf8' });
  const dirs = [...new Set(parseable.split('\n').map((l) => l.trim()).filter((l) => l.includes('/node_modules/')))];
  // each package's own files (its nested node_modules are packages listed on their own)
  return app + dirs.reduce((a, d) => a + bytesUnder(d, (n) => n === 'node_modules'), 0);
}

/** About what a zip of the folder takes: each file deflated, plus its zip headers. */
function zippedBytes(dir: string, files: Record<string, number>): number {
  return Object.keys(files).reduce((a, f) => a + deflateRawSync(readFileSync(join(dir, f))).length + 2 * (46 + f.length), 22);
}

const round = (v: number, digits = 1): number => Math.round(v * 10 ** digits) / 10 ** digits;

function checkAll(what: string, sample: ColdLoad): void {
  const missing = EXPECTED_FUNCTIONS.filter((n) => !sample.functions.includes(n));
  if (missing.length > 0 || sample.functions.length !== EXPECTED_FUNCTIONS.length) {
    throw new Error(`${what} registered ${sample.functions.length} functions, not the ${EXPECTED_FUNCTIONS.length} the app has${missing.length ? ` (missing: ${missing.join(', ')})` : ''}: is the build current (npm run build)?`);
  }
}

export async function measurePackage(options: { repeat: number; quick: boolean; log: (line: string) => void }): Promise<BenchRow[]> {
  const root = PROJECT_ROOT;
  const layout = packageLayout(root);
  const files = filesUnder(layout.dir);
  const bytes = Object.values(files).reduce((a, b) => a + b, 0);
  const before = unbundledBytes(root);
  options.log(`  dist/package: ${round(bytes / MB, 2)} MB in ${Object.keys(files).length} files; before the bundle ${round(before / MB)} MB`);

  const n = Math.max(7, 2 * options.repeat + 1);
  const entries = unbundledEntries(root);
  const bundled: ColdLoad[] = [];
  const unbundled: ColdLoad[] = [];
  const load = loadavg()[0] ?? 0;
  for (let i = 0; i < n; i++) {
    const b = coldLoad({ packageDir: layout.dir }, root);
    const u = coldLoad({ files: entries }, root);
    checkAll('the bundle', b);
    checkAll('the unbundled build', u);
    bundled.push(b);
    unbundled.push(u);
    options.log(`  #${i + 1}: bundle ${round(b.ms)} ms (CPU ${round(b.cpuMs)} ms), unbundled ${round(u.ms)} ms (CPU ${round(u.cpuMs)} ms)`);
  }
  const cpuNote = `CPU of the process until then (median, every thread): bundle ${round(median(bundled.map((s) => s.cpuMs)))} ms, unbundled ${round(median(unbundled.map((s) => s.cpuMs)))} ms; 1-minute load average ${load.toFixed(1)} on ${cpus().length} CPUs when it began (a loaded machine lengthens both)`;
  return [
    {
      section: '6', metric: 'deploy package: dist/package (bundle, SDK file, host.json, package.json, notices)', unit: 'MB', samples: [round(bytes / MB, 2)], referenceLabel: 'goal', reference: GOAL_MB, goal: '≤ 1×',
      note: `what azd deploys (azure.yaml dist: dist/package, remoteBuild false: nothing installed on deploy): ${Object.entries(files).map(([f, b]) => `${f} ${round(b / 1024)} KB`).join(', ')}; zipped about ${round(zippedBytes(layout.dir, files) / MB, 2)} MB`,
    },
    {
      section: '6', metric: 'before the bundle: dist/src JS + production node_modules', unit: 'MB', samples: [round(before / MB)], referenceLabel: 'goal', reference: GOAL_MB, goal: '≤ 1×',
      note: 'what was deployed before (package.json main dist/src/*/functions.js, the dependencies installed with it), for comparison',
    },
    {
      section: '6', metric: `cold load: process start → ${EXPECTED_FUNCTIONS.length} functions registered, the bundle`, unit: 'ms', samples: bundled.map((s) => round(s.ms)), referenceLabel: 'goal', reference: GOAL_MS, goal: '≤ 1×',
      note: `a fresh node process requires local/func-host/app-loader.js (the @azure/functions-core stand-in) and loads dist/package through its package.json main (not ${layout.deferred}: the SDK's clients load on first use); performance.now() after the last registration (time since the process started). ${cpuNote}`,
    },
    {
      section: '6', metric: `cold load: process start → ${EXPECTED_FUNCTIONS.length} functions registered, before the bundle`, unit: 'ms', samples: unbundled.map((s) => round(s.ms)), referenceLabel: 'goal', reference: GOAL_MS, goal: '≤ 1×',
      note: 'the same loader on dist/src/<feature>/functions.js, each module and package its own file (for comparison)',
    },
  ];
}
