/**
 * The benchmark's one table: every figure next to its reference, as a ratio. Each measurement is
 * repeated; a row carries every sample, and the table shows the median and the spread.
 */
import type { Logger } from '../local/func-host';

export interface BenchRow {
  /** 1 exposure window · 2 ARM calls · 3 burst · 4 overhead · 5 simulator capacity · 6 package */
  section: string;
  /** what was measured, e.g. "1 region, lockdown-first" */
  metric: string;
  unit: string;
  /** every repetition's value (unscaled: simulated time is reported as real Azure time) */
  samples: number[];
  /** what the figure is compared with, e.g. "critical path of the latency model" */
  referenceLabel?: string;
  reference?: number;
  /** e.g. "≤ 1.1×" — stated, never asserted */
  goal?: string;
  /** free text shown under the table (assumptions, the latency model used); each line is printed once per section */
  note?: string;
}

export interface BenchSummary extends BenchRow {
  median: number;
  min: number;
  max: number;
  /** (max - min) / median, 0 for a single sample */
  spread: number;
  /** median / reference */
  ratio?: number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no samples');
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

export function summarize(row: BenchRow): BenchSummary {
  const m = median(row.samples);
  const min = Math.min(...row.samples);
  const max = Math.max(...row.samples);
  return {
    ...row,
    median: m,
    min,
    max,
    spread: m === 0 ? 0 : (max - min) / m,
    ratio: row.reference !== undefined && row.reference !== 0 ? m / row.reference : undefined,
  };
}

/** A figure for the table: integers as they are, others to about three significant digits. */
export function formatValue(value: number, unit: string): string {
  const abs = Math.abs(value);
  const text = Number.isInteger(value) ? String(value) : abs >= 100 ? value.toFixed(0) : abs >= 10 ? value.toFixed(1) : value.toFixed(2);
  return unit ? `${text} ${unit}` : text;
}

function pad(cells: string[][]): string[] {
  const widths = cells[0]?.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length))) ?? [];
  return cells.map((row) => row.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ').trimEnd());
}

/** The one table: every figure (median, min–max, spread) next to its reference and the ratio; the notes' lines under it, each once. */
export function formatTable(rows: readonly BenchSummary[]): string {
  const header = ['#', 'metric', 'median', 'min – max', 'spread', 'n', 'reference', 'ratio', 'goal'];
  const body = rows.map((r) => [
    r.section,
    r.metric,
    formatValue(r.median, r.unit),
    `${formatValue(r.min, '')} – ${formatValue(r.max, '')}`,
    `${(r.spread * 100).toFixed(0)}%`,
    String(r.samples.length),
    r.reference === undefined ? '' : `${formatValue(r.reference, r.unit)}${r.referenceLabel ? ` (${r.referenceLabel})` : ''}`,
    r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}×`,
    r.goal ?? '',
  ]);
  const lines = pad([header, ...body]);
  const rule = (lines[0] ?? '').replace(/[^|]/g, '-');
  const notes: string[] = [];
  for (const r of rows) {
    for (const line of (r.note ?? '').split('\n').filter((l) => l.trim() !== '')) {
      if (!notes.includes(`[${r.section}] ${line}`)) notes.push(`[${r.section}] ${line}`);
    }
  }
  return [lines[0] ?? '', rule, ...lines.slice(1), '', ...notes].join('\n');
}

/**
 * The local host's log in a bench world: its expected warnings (access still propagating,
 * throttling) are many and are not the bench's output; errors still show.
 */
export const BENCH_HOST_LOG: Logger = {
  debug() {},
  info() {},
  warn() {},
  error: (message) => {
    process.stderr.write(`[func-host] error ${message}\n`);
  },
};
