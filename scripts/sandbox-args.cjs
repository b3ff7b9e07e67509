// The sandbox's command line (`npm start -- …`), checked by scripts/start.mjs before the build and
// by local/sandbox.ts itself: one parser, plain JavaScript (CommonJS: both the ESM launcher and the compiled
// sandbox load it) so it runs before anything is compiled.
'use strict';
const { createServer } = require('node:net');

const SANDBOX_USAGE = 'npm start [-- --port N] [--once] [--timeout SECONDS]   (--port 0 picks a free port; default 7071)';
const FLAGS = ['--once', '--port', '--timeout'];

class SandboxUsageError extends Error {}

function closest(word) {
  const dist = (a, b) => {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) d[0][j] = j;
    for (let i = 1; i <= a.length; i++) for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    return d[a.length][b.length];
  };
  const best = FLAGS.map((f) => [f, dist(word, f)]).sort((x, y) => x[1] - y[1])[0];
  return best && best[1] <= 2 ? ` (did you mean '${best[0]}'?)` : '';
}

function integer(flag, value, min, max) {
  if (value === undefined || !/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new SandboxUsageError(`${flag} takes a whole number from ${min} to ${max}, not '${value ?? ''}'`);
  }
  return Number(value);
}

/** { once, port, timeoutSeconds } or a SandboxUsageError naming the problem. */
function parseSandboxArgs(argv) {
  const args = { once: false, port: 7071, timeoutSeconds: 180 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--once') args.once = true;
    else if (a === '--port') args.port = integer('--port', argv[++i], 0, 65535);
    else if (a === '--timeout') args.timeoutSeconds = integer('--timeout', argv[++i], 1, 24 * 3600);
    else throw new SandboxUsageError(`unknown argument '${a}'${closest(a)}: ${SANDBOX_USAGE}`);
  }
  return args;
}

/** Whether 127.0.0.1:port can be listened on now (port 0 always can). */
function portIsFree(port) {
  if (port === 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function portInUseMessage(port) {
  return `port ${port} is in use (another sandbox or Functions host?): choose another with \`npm start -- --port <n>\` (0 picks a free one)`;
}

module.exports = { SANDBOX_USAGE, SandboxUsageError, parseSandboxArgs, portIsFree, portInUseMessage };
