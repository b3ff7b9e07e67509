// Runs before each suite (setupFilesAfterEnv): the local Functions host started by this suite logs to the
// suite's own file (FUNC_HOST_LOG_FILE, see local/func-host/types.ts) instead of the console, and each
// test's name is written into it as a marker; test/test-log-reporter.js prints the file if a test failed.
const { appendFileSync, existsSync, rmSync } = require('node:fs');
const { testLogFileOf } = require('./test-logs');

const file = testLogFileOf(expect.getState().testPath);
rmSync(file, { force: true });
process.env.FUNC_HOST_LOG_FILE = file;

const mark = (what) => {
  if (existsSync(file)) appendFileSync(file, `${new Date().toISOString()} ---- ${what}: ${expect.getState().currentTestName}\n`);
};
beforeEach(() => mark('test'));
afterEach(() => mark('end of test'));
