// Aggregates the rows the reliability tests write (one JSON line per case, in a file named by
// RELIABILITY_SUMMARY_FILE, set here before the workers start) and prints one short table.
const { existsSync, readFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

class ReliabilityReporter {
  constructor() {
    this.file = join(tmpdir(), `reliability-summary-${process.pid}.jsonl`);
    rmSync(this.file, { force: true });
    process.env.RELIABILITY_SUMMARY_FILE = this.file;
  }

  onRunComplete() {
    if (!existsSync(this.file)) return;
    const rows = readFileSync(this.file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    rmSync(this.file, { force: true });
    if (rows.length === 0) return;
    rows.sort((a, b) => a.area.localeCompare(b.area) || a.tried.localeCompare(b.tried));
    const byArea = new Map();
    for (const r of rows) {
      const a = byArea.get(r.area) ?? { tried: 0, held: 0, outcomes: new Map() };
      a.tried += 1;
      if (r.held) a.held += 1;
      a.outcomes.set(r.result, (a.outcomes.get(r.result) ?? 0) + 1);
      byArea.set(r.area, a);
    }
    const lines = ['', `reliability summary: ${rows.filter((r) => r.held).length}/${rows.length} cases held`];
    lines.push(`${'area'.padEnd(12)} ${'tried'.padStart(5)} ${'held'.padStart(5)}  outcomes`);
    for (const [area, a] of byArea) {
      const outcomes = [...a.outcomes].map(([k, n]) => `${k} ×${n}`).join(', ');
      lines.push(`${area.padEnd(12)} ${String(a.tried).padStart(5)} ${String(a.held).padStart(5)}  ${outcomes.length > 110 ? `${outcomes.slice(0, 107)}...` : outcomes}`);
    }
    const broke = rows.filter((r) => !r.held);
    for (const r of broke) lines.push(`  BROKE ${r.area}: ${r.tried} -> ${r.result}`);
    process.stdout.write(`${lines.join('\n')}\n`);
  }
}
module.exports = ReliabilityReporter;
