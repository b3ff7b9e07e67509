/**
 * CLI: `node dist/local/func-host/main.js --app <dir> --state <dir> [--port 7071] [--time-scale 1]
 *       [--host-json <file>] [--env KEY=VALUE]... [--verbose]`
 * Prints one JSON line `{"event":"listening",...}` on stdout when ready; SIGTERM/SIGINT stop it gracefully.
 */
import { startFuncHost } from './index';
import { stderrLogger } from './types';

interface CliArgs {
  app?: string;
  state?: string;
  port?: number;
  timeScale?: number;
  hostJson?: string;
  env: Record<string, string>;
  verbose: boolean;
}

function parseArgs(argv: string[]): CliArgs {
  const args: CliArgs = { env: {}, verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--app') args.app = next();
    else if (a === '--state') args.state = next();
    else if (a === '--port') args.port = Number(next());
    else if (a === '--time-scale') args.timeScale = Number(next());
    else if (a === '--host-json') args.hostJson = next();
    else if (a === '--verbose') args.verbose = true;
    else if (a === '--env') {
      const kv = next();
      const eq = kv.indexOf('=');
      if (eq <= 0) throw new Error(`--env expects KEY=VALUE, got ${kv}`);
      args.env[kv.slice(0, eq)] = kv.slice(eq + 1);
    } else throw new Error(`Unknown argument ${a}`);
  }
  return args;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (!args.app || !args.state) throw new Error('usage: main.js --app <dir> --state <dir> [--port n] [--time-scale x] [--env K=V]');
  const host = await startFuncHost({
    appDir: args.app,
    stateDir: args.state,
    port: args.port ?? 7071,
    timeScale: args.timeScale,
    hostJson: args.hostJson,
    env: args.env,
    logger: stderrLogger('[func-host]', args.verbose),
  });
  process.stdout.write(
    JSON.stringify({ event: 'listening', baseUrl: host.baseUrl, port: host.port, registrations: host.registrations.map((r) => `${r.name}:${r.triggerType}`) }) + '\n',
  );
  const shutdown = (): void => {
    void host.stop().then(() => process.exit(0));
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((err: unknown) => {
  process.stderr.write(`[func-host] fatal ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
