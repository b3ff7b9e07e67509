/**
 * `npm run bench [-- --quick] [--only 1,2,5] [--repeat N] [--burst N] [--burst-steps N]`: the benchmark. Every section runs on
 * the local Azure (and the app in the local Functions host), prints its progress, and the run
 * ends with one table — median, spread and the ratio to each figure's reference — written as JSON
 * to bench/results/ as well, so that runs can be compared. Nothing here is asserted: a bench
 * that could not measure says so and exits 1.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../local/world';
import { parseBenchArgs, type BenchArgs } from './args';
import { measureBurst } from './burst';
import { measureCapacity } from './capacity';
import { measureHardening } from './hardening';
import { measureOverhead } from './overhead';
import { measurePackage } from './package';
import { formatTable, summarize, type BenchRow } from './report';

/** Simulator and host time scale of sections 1 and 2: 1 simulated second takes 100 ms. */
const TIME_SCALE = 0.1;

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function main(): Promise<number> {
  let args: BenchArgs;
  try {
    args = parseBenchArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return 2;
  }
  const startedAt = new Date();
  const options = { repeat: args.repeat, quick: args.quick };
  log(`npm run bench: sections ${[...args.only].join(',')}, ${args.repeat} repetition(s)${args.quick ? ', quick' : ''}; ${cpus().length} CPU(s), Node ${process.version}`);

  const rows: BenchRow[] = [];
  const failures: string[] = [];
  const section = async (title: string, run: () => Promise<BenchRow[]>): Promise<void> => {
    log(`\n${title}`);
    const t = Date.now();
    try {
      rows.push(...(await run()));
      log(`  (${((Date.now() - t) / 1000).toFixed(0)} s)`);
    } catch (e) {
      const message = `${title}: ${(e as Error).stack ?? String(e)}`;
      failures.push(message);
      log(`  FAILED ${message}`);
    }
  };

  if (args.only.has(1) || args.only.has(2)) {
    await section(`1/2 exposure window and ARM calls (time scale ${TIME_SCALE})`, () =>
      measureHardening({ ...options, timeScale: TIME_SCALE, exposure: args.only.has(1), armCalls: args.only.has(2), log }));
  }
  if (args.only.has(3)) {
    await section('3 burst', () => measureBurst({ quick: args.quick, log, ...(args.burst !== undefined ? { registries: args.burst } : {}), ...(args.burstSteps !== undefined ? { steps: args.burstSteps } : {}), ...(args.burstScale !== undefined ? { timeScale: args.burstScale } : {}) }));
  }
  if (args.only.has(4)) await section('4 overhead', () => measureOverhead(options));
  if (args.only.has(5)) await section('5 simulator capacity', () => measureCapacity({ ...options, log }));
  if (args.only.has(6)) await section('6 package: size and cold load', () => measurePackage({ ...options, log }));

  const summaries = rows.map(summarize);
  log(`\n${formatTable(summaries)}`);
  const dir = join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `bench-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify({
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    args: { quick: args.quick, repeat: args.repeat, only: [...args.only] },
    machine: { cpus: cpus().length, node: process.version },
    timeScale: TIME_SCALE,
    rows: summaries,
    failures,
  }, null, 2)}\n`);
  log(`\nresults: ${file}`);
  if (failures.length > 0) {
    log(`${failures.length} section(s) could not be measured (see above)`);
    return 1;
  }
  return 0;
}

if (require.main === module) {
  void main().then((code) => process.exit(code), (e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  });
}
