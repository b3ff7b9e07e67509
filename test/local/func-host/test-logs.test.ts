/**
 * Quiet tests: the host's log goes to a file per suite (test/test-logs.js) and is printed only under
 * a suite with a failing test. Runs jest, with the project's set-up, on two fixture suites whose
 * host logs an error with its stack: the green one's log stays in its file, the red one's is printed.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './harness';

const ROOT = join(__dirname, '../../..');
const HOST_ERROR = 'error Function "boom" failed: Error: secret internal detail';

function runJest(logDir: string): Promise<{ code: number | null; output: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, TEST_LOG_DIR: logDir };
  // the fixture run is a run of its own: not a worker of this one, nor logging into this suite's file
  delete env.JEST_WORKER_ID;
  delete env.FUNC_HOST_LOG_FILE;
  const args = [require.resolve('jest/bin/jest'), '--config', join(ROOT, 'test/fixtures/test-logs/jest.config.js'), '--runInBand', '--ci', '--colors=false'];
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: ROOT, env, timeout: 100_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, output: `${stdout}${stderr}` });
    });
  });
}

describe('test logs', () => {
  it("a green suite's host log stays in its file; a failing suite's is printed under its result", async () => {
    const logDir = tempDir('test-logs');
    const { code, output } = await runJest(logDir);
    expect(code).toBe(1);
    expect(output).toMatch(/FAIL .*red\.suite\.ts/);
    expect(output).toMatch(/PASS .*green\.suite\.ts/);

    // both hosts logged the error (with its stack) into their suite's file
    for (const suite of ['green', 'red']) {
      const file = join(logDir, 'fixtures/test-logs', `${suite}.suite.log`);
      expect(existsSync(file)).toBe(true);
      expect(readFileSync(file, 'utf8')).toContain(HOST_ERROR);
    }
    // the console shows the red suite's log once, under its heading, and nothing of the green one's
    expect(output).toContain(`Host log of test/fixtures/test-logs/red.suite.ts (${join(logDir, 'fixtures/test-logs/red.suite.log')}`);
    expect(output).not.toContain('Host log of test/fixtures/test-logs/green.suite.ts');
    expect(output.split(HOST_ERROR)).toHaveLength(2);
    expect(output).toContain('---- end of test: red: a test that fails after the host logged an error');
    // no host line reaches the console outside that block
    const [beforeBlock] = output.split('Host log of test/fixtures/test-logs/red.suite.ts');
    expect(beforeBlock).not.toContain('[func-host]');
  });
});
