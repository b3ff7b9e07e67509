// `npm start`: Node and the arguments are checked first (a typo costs no build), then the build,
// then the sandbox (dist/local/sandbox.js) with the dev CA trusted.
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import './check-node.mjs';
import sandboxArgs from './sandbox-args.cjs';

const { parseSandboxArgs, portInUseMessage, portIsFree, SandboxUsageError } = sandboxArgs;

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
let args;
try {
  args = parseSandboxArgs(argv);
} catch (e) {
  if (!(e instanceof SandboxUsageError)) throw e;
  console.error(`npm start: ${e.message}`);
  process.exit(2);
}
if (!(await portIsFree(args.port))) {
  console.error(`npm start: ${portInUseMessage(args.port)}`);
  process.exit(2);
}
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const build = spawnSync(npm, ['run', 'build'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const ca = spawnSync(process.execPath, [join(root, 'dist/local/azure-sim/dev-ca.js')], { cwd: root, encoding: 'utf8' });
if (ca.status !== 0) {
  process.stderr.write(ca.stderr);
  process.exit(1);
}
const sandbox = spawn(process.execPath, [join(root, 'dist/local/sandbox.js'), ...argv], { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_EXTRA_CA_CERTS: ca.stdout.trim() } });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => sandbox.kill(signal));
sandbox.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
