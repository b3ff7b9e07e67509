import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';

/** `npm start`'s launcher (scripts/start.mjs): bad arguments and a busy port end in one line, before any build. */
const ROOT = join(__dirname, '../../..');

function start(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(ROOT, 'scripts/start.mjs'), ...args], { cwd: ROOT, timeout: 20_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

describe('npm start: arguments and the port are checked before the build', () => {
  it.each([
    [['--prot', '7072'], /^npm start: unknown argument '--prot' \(did you mean '--port'\?\): npm start \[-- --port N\]/],
    [['--port', 'abc'], /^npm start: --port takes a whole number from 0 to 65535, not 'abc'$/],
    [['--port'], /^npm start: --port takes a whole number from 0 to 65535, not ''$/],
    [['--port', '70000'], /not '70000'$/],
    [['--timeout', '-5'], /^npm start: --timeout takes a whole number from 1 to 86400, not '-5'$/],
  ])('%j: exit 2 with one line, nothing built', async (args, message) => {
    const r = await start(args);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    // the build (tsc's output through npm) never started
    expect(r.stdout).toBe('');
  });

  describe('a busy port', () => {
    let server: Server;
    let port = 0;
    beforeAll(async () => {
      server = createServer();
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      port = (server.address() as { port: number }).port;
    });
    afterAll(async () => {
      await new Promise((r) => server.close(r));
    });

    it('names the flag to use', async () => {
      const r = await start(['--port', String(port)]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim()).toBe(`npm start: port ${port} is in use (another sandbox or Functions host?): choose another with \`npm start -- --port <n>\` (0 picks a free one)`);
      expect(r.stdout).toBe('');
    });
  });
});
