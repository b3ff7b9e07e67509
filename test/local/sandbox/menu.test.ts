import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The sandbox's closing menu, run as printed: `npm start`'s sandbox (dist/local/sandbox.js) is
 * started as a child process on a free port with a folder of its own (SANDBOX_DIR), its "Try"
 * lines are parsed from what it prints, and each runs in a shell from the project folder, in
 * order. A line must exit 0 and print no API error, unless its `# …` comment says otherwise
 * (`# exits N` for a report with findings, `# answers NNN [CODE]` for a refusal shown with -i);
 * a file it writes (-o, --out) must be there and not an error. Lines whose tool (curl, dig) is
 * not installed are skipped with a one-line reason.
 */
const ROOT = join(__dirname, '../../..');
const SANDBOX = join(ROOT, 'dist/local/sandbox.js');
const START_TIMEOUT_MS = 600_000;
const LINE_TIMEOUT_MS = 240_000;

function hasTool(tool: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

interface Line { label: string; command: string; note: string }

/** The entries after "Try": `  <label>: <command>[   # <note>]`. */
function parseMenu(printed: string): Line[] {
  const start = printed.indexOf('. Try (');
  if (start < 0) return [];
  const lines: Line[] = [];
  for (const text of printed.slice(start).split('\n')) {
    const m = /^ {2}(\S[^:]*?):\s+(\S.*)$/.exec(text);
    if (!m) continue;
    const full = m[2] ?? '';
    const hash = full.indexOf('   # ');
    lines.push({ label: m[1] ?? '', command: full, note: hash >= 0 ? full.slice(hash + 5) : '' });
  }
  return lines;
}

function run(command: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('bash', ['-c', command], { cwd: ROOT, env, timeout: LINE_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}

/** The `error` of a JSON body, if it is one. */
function apiError(body: string): unknown {
  try {
    const parsed = JSON.parse(body) as unknown;
    return typeof parsed === 'object' && parsed !== null && 'error' in parsed ? (parsed as { error: unknown }).error : undefined;
  } catch {
    return undefined;
  }
}

/** What is wrong with one line's result (undefined: it did what the menu says). */
function judge(line: Line, r: { code: number; stdout: string; stderr: string }): string | undefined {
  const exits = /^exits (\d+)/.exec(line.note);
  const answers = /^answers (\d{3})(?: ([A-Z]+\.[A-Z_]+))?/.exec(line.note);
  const expectedCode = exits ? Number(exits[1]) : 0;
  if (r.code !== expectedCode) return `exit ${r.code}, expected ${expectedCode}: ${(r.stderr || r.stdout).slice(0, 600)}`;
  if (answers) {
    const [head = '', ...rest] = r.stdout.split(/\r?\n\r?\n/);
    const status = /^HTTP\/[\d.]+ (\d{3})/.exec(head)?.[1];
    if (status !== answers[1]) return `answered ${status ?? '(no status line)'}, expected ${answers[1]}`;
    const body = rest.join('\n\n').trim();
    if (/no body/.test(line.note) && body !== '') return `a body, where the menu says there is none: ${body.slice(0, 300)}`;
    if (answers[2] !== undefined && (apiError(body) as { code?: unknown } | undefined)?.code !== answers[2]) return `body ${body.slice(0, 300)}, expected the JSON error ${answers[2]}`;
    return undefined;
  }
  const error = apiError(r.stdout.trim());
  if (error !== undefined) return `an error body: ${JSON.stringify(error).slice(0, 600)}`;
  // a curl without -o must have printed an answer
  if (/^curl /.test(line.command) && !/ -o /.test(line.command) && r.stdout.trim() === '') return 'an empty answer';
  const file = / (?:-o|--out) (\S+)/.exec(line.command)?.[1];
  if (file !== undefined) {
    const path = file.startsWith('/') ? file : join(ROOT, file);
    if (!existsSync(path)) return `no file ${file}`;
    const content = readFileSync(path, 'utf8');
    if (content.trim() === '' || apiError(content) !== undefined) return `the file ${file} is empty or an error: ${content.slice(0, 300)}`;
    if (/format=html|\.html$/.test(line.command) && !content.startsWith('<!DOCTYPE html>')) return `the file ${file} is not an HTML page`;
  }
  return undefined;
}

const curl = hasTool('curl');
const describeIfCurl = curl && existsSync(SANDBOX) ? describe : describe.skip;
if (!curl) process.stderr.write('menu.test: skipped: curl is not installed (the menu\'s HTTP lines use it)\n');
else if (!existsSync(SANDBOX)) process.stderr.write('menu.test: skipped: dist/local/sandbox.js is missing (npm run build)\n');

describeIfCurl('npm start: every line of the closing menu works as printed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sandbox-menu-'));
  const env: NodeJS.ProcessEnv = { ...process.env, SANDBOX_DIR: dir };
  let child: ChildProcess | undefined;
  let printed = '';
  let errors = '';

  beforeAll(async () => {
    child = spawn(process.execPath, [SANDBOX, '--port', '0'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      printed += d;
    });
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      errors += d;
    });
    const started = Date.now();
    while (!printed.includes('Ctrl-C stops the sandbox.')) {
      if (child.exitCode !== null) throw new Error(`the sandbox exited ${child.exitCode}:\n${printed}\n${errors}`);
      if (Date.now() - started > START_TIMEOUT_MS) throw new Error(`no menu within ${START_TIMEOUT_MS / 1000} s:\n${printed}\n${errors}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }, START_TIMEOUT_MS + 10_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child?.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('hardens the demo registry, piped: each step line once, and each event with what the app decided', () => {
    expect(printed).toContain('Outcome: Hardened');
    const steps = printed.slice(0, printed.indexOf('Outcome:')).split('\n').filter((l) => /^ {2}[✔…·–✘] /.test(l));
    expect(steps.length).toBeGreaterThan(0);
    expect(new Set(steps).size).toBe(steps.length);
    expect(printed).toMatch(/event: sharedreg \(subscription 00000000-0000-0000-0000-0000000000a2\) written → started/);
    expect(printed).toMatch(/event: demoreg \(subscription 00000000-0000-0000-0000-0000000000a1\) written → started/);
    expect(printed).toMatch(/event: demoreg \(subscription 00000000-0000-0000-0000-0000000000a1\) written by the app itself → ignored/);
    // the public registry's run ended as its tag says
    expect(printed).toMatch(/run: +sharedreg → Exempt/);
  });

  it('lists a command for every feature, and each does what the menu says', async () => {
    const lines = parseMenu(printed);
    const labels = lines.map((l) => l.label);
    for (const feature of ['run status', 'recent runs', 'apply again', 'plan', 'approve', 'sweep', 'egress check', 'egress fix', 'exfiltration', 'exfiltration apply', 'share-with', 'deployments audit', 'fleet egress', 'fleet exfiltration', 'fleet audit', 'report page', 'fleet page', 'new registry', 'second subscription', 'status']) {
      expect(labels).toContain(feature);
    }
    const failures: string[] = [];
    const dig = hasTool('dig');
    for (const line of lines) {
      if (/^dig /.test(line.command) && !dig) {
        process.stderr.write(`menu.test: skipped '${line.label}': dig is not installed\n`);
        continue;
      }
      const why = judge(line, await run(line.command, env));
      if (why !== undefined) failures.push(`${line.label}: ${why}\n    ${line.command}`);
    }
    expect(failures).toEqual([]);
    // the registries created as a user reached the app by their events
    expect(printed).toMatch(/event: userreg \(subscription 00000000-0000-0000-0000-0000000000a1\) written → started/);
    expect(printed).toMatch(/event: teamreg \(subscription 00000000-0000-0000-0000-0000000000a2\) written → started/);
    expect(printed).toMatch(/run: +approvereg → Hardened/);
  }, 1_200_000);
});
