// Where a test suite's host log goes: one file per suite under .artifacts/test-logs (or TEST_LOG_DIR),
// named after the suite's path under test/. Shared by test/test-log-setup.js and test/test-log-reporter.js.
const { join, relative, resolve, basename } = require('node:path');

const ROOT = resolve(__dirname, '..');

function testLogDir() {
  return process.env.TEST_LOG_DIR ? resolve(process.env.TEST_LOG_DIR) : join(ROOT, '.artifacts', 'test-logs');
}

function testLogFileOf(testPath) {
  const rel = relative(join(ROOT, 'test'), testPath);
  const name = rel.startsWith('..') ? basename(testPath) : rel;
  return join(testLogDir(), `${name.replace(/\.[cm]?[jt]s$/, '')}.log`);
}

module.exports = { testLogDir, testLogFileOf };
