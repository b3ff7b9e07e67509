import { appendFileSync } from 'node:fs';



/** One line of the reliability summary: what was tried, and whether the invariants held. */
export interface SummaryRow {
  area: string;
  tried: string;
  held: boolean;
  result: string;
}

/**
 * Rows go to the file the reliability reporter (test/reliability/reporter.js) names in the
 * environment it hands to the workers; without the reporter they are printed when the file ends.
 */
const pending: SummaryRow[] = [];

export function record(row: SummaryRow): void {
  const file = process.env.RELIABILITY_SUMMARY_FILE;
  if (file) appendFileSync(file, `${JSON.stringify(row)}\n`);
  else pending.push(row);
}

export function flushUnreported(): void {
  if (pending.length === 0) return;
  const lines = pending.map((r) => `${r.held ? 'held ' : 'BROKE'}  ${r.area.padEnd(10)} ${r.tried.padEnd(44)} ${r.result}`);
  process.stdout.write(`\nreliability (${pending.length} cases)\n${lines.join('\n')}\n`);
  pending.length = 0;
}



