// Prints a suite's host log (test/test-logs.js) under its result when a test in it failed, and says
// nothing for a green suite: the console of a green run carries no host warnings.
const { existsSync, readFileSync } = require('node:fs');
const { isAbsolute, relative } = require('node:path');
const { testLogFileOf } = require('./test-logs');

/** At most this many of the log's last lines are printed; the file has them all. */
const MAX_LINES = 400;

/** A path under the working folder relative to it, any other as it is. */
function shortPath(p) {
  const rel = relative(process.cwd(), p);
  return rel.startsWith('..') || isAbsolute(rel) ? p : rel;
}

class TestLogReporter {
  onTestResult(test, result) {
    if (result.numFailingTests === 0 && !result.testExecError) return;
    const file = testLogFileOf(test.path);
    if (!existsSync(file)) return;
    const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
    if (lines.length === 0) return;
    const shown = lines.slice(-MAX_LINES);
    const cut = shown.length < lines.length ? `, the last ${shown.length} of ${lines.length} lines` : '';
    process.stderr.write(`\nHost log of ${shortPath(test.path)} (${shortPath(file)}${cut}):\n${shown.map((l) => `  ${l}`).join('\n')}\n\n`);
  }
}
module.exports = TestLogReporter;
