/**
 * The timeline picture of a run (pure): inline SVG, one bar per step from its start to its end,
 * the waits inside it (approval, throttling, DNS retries, provisioning, access) drawn over the
 * bar with a pattern of their own, times labelled. Accessible: role="img" with a title and a
 * description that says in words what the picture shows; every bar and wait also has a title.
 * Patterns and labels, not colour alone, tell the waits apart, so the picture holds in print.
 */
import type { StepStatus } from '../../hardening/domain/hardening';
import type { StepWait, WaitKind } from '../../hardening/domain/progress';
import { esc, formatClock, formatDuration, formatTime } from './html';
import type { RunView } from './report';

export const WAIT_LABEL: Readonly<Record<WaitKind, string>> = {
  approval: 'approval',
  throttling: 'ARM throttling',
  dns: 'DNS retries',
  provisioning: 'provisioning',
  access: 'access propagating',
};

const WAIT_KINDS = Object.keys(WAIT_LABEL) as WaitKind[];

/** Each wait kind's look: a hatch pattern over a light colour (distinct in grey too). */
const WAIT_STYLE: Readonly<Record<WaitKind, { fill: string; ink: string; path: string }>> = {
  approval: { fill: '#fff1c2', ink: '#8a5a00', path: 'M0,8 L8,0' },
  throttling: { fill: '#ffd8d3', ink: '#a40e26', path: 'M0,0 L8,8' },
  dns: { fill: '#d8f3e0', ink: '#116329', path: 'M4,0 L4,8' },
  provisioning: { fill: '#e7e3ff', ink: '#5a1ea6', path: 'M0,4 L8,4' },
  access: { fill: '#dde7f0', ink: '#24394f', path: 'M0,8 L8,0 M0,0 L8,8' },
};

const W = 1000;
const LEFT = 120;
const RIGHT = 250;
const TOP = 34;
const ROW = 40;
const BAR = 18;
const PLOT = W - LEFT - RIGHT;
const MIN_BAR = 3;

function ms(iso: string | undefined): number | undefined {
  if (iso === undefined || iso === '') return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : t;
}

/** A tick step (1, 2 or 5 × 10^n ms) giving about `target` ticks over `span`. */
export function tickStep(spanMs: number, target = 6): number {
  const raw = Math.max(1, spanMs / target);
  const pow = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * pow >= raw) return m * pow;
  return 10 * pow;
}

function round(n: number): string {
  return (Math.round(n * 10) / 10).toString();
}

/** The steps in the order they started (not started: last, in their order); the lockdown order decides whether lockdown or endpoints comes first. */
export function inTimeOrder(steps: readonly StepStatus[]): StepStatus[] {
  const at = (s: StepStatus): number => ms(s.startedAt) ?? Number.POSITIVE_INFINITY;
  return steps.map((s, i) => ({ s, i })).sort((a, b) => at(a.s) - at(b.s) || a.i - b.i).map(({ s }) => s);
}

/** The run's time span: its first start to its last end (an open step or wait ends `nowIso`). */
export function runSpan(run: Pick<RunView, 'steps' | 'waits' | 'createdTime' | 'lastUpdatedTime'>, nowIso: string): { startMs: number; endMs: number } {
  // the steps' own times (the store's createdTime has whole seconds only): createdTime when no step has started
  const stepStarts = [...run.steps.map((s) => ms(s.startedAt)), ...run.waits.map((w) => ms(w.startedAt))].filter((t): t is number => t !== undefined);
  const starts = stepStarts.length > 0 ? stepStarts : [ms(run.createdTime)].filter((t): t is number => t !== undefined);
  const open = run.steps.some((s) => s.state === 'running') || run.waits.some((w) => w.endedAt === undefined);
  const ends = [...run.steps.map((s) => ms(s.endedAt)), ...run.waits.map((w) => ms(w.endedAt)), ms(run.lastUpdatedTime), open ? ms(nowIso) : undefined].filter((t): t is number => t !== undefined);
  const startMs = starts.length > 0 ? Math.min(...starts) : (ms(nowIso) ?? 0);
  const endMs = Math.max(startMs + 1, ...ends);
  return { startMs, endMs };
}

function waitsText(waits: readonly StepWait[], endOf: (w: StepWait) => number): string {
  const total = new Map<WaitKind, { ms: number; count: number }>();
  for (const w of waits) {
    const t = total.get(w.kind) ?? { ms: 0, count: 0 };
    t.ms += Math.max(0, endOf(w) - (ms(w.startedAt) ?? 0));
    t.count += w.count;
    total.set(w.kind, t);
  }
  return [...total.entries()].map(([kind, t]) => `${WAIT_LABEL[kind]} ${formatDuration(t.ms)}${t.count > 1 ? ` (${t.count}×)` : ''}`).join(' · ');
}

/** One sentence per step for the description (and the tests): what a reader of the picture sees. */
export function describeSteps(run: Pick<RunView, 'steps' | 'waits'>, nowIso: string): string[] {
  const now = ms(nowIso) ?? 0;
  return inTimeOrder(run.steps).map((s) => {
    const start = ms(s.startedAt);
    const end = ms(s.endedAt) ?? (s.state === 'running' ? now : undefined);
    const waits = run.waits.filter((w) => w.step === s.step);
    const when = start === undefined ? 'not started' : `${formatClock(s.startedAt)} to ${end !== undefined ? formatClock(new Date(end).toISOString()) : '…'}${end !== undefined ? ` (${formatDuration(end - start)})` : ''}`;
    const waited = waits.length > 0 ? `; waited: ${waitsText(waits, (w) => ms(w.endedAt) ?? now)}` : '';
    return `${s.step}: ${s.state}, ${when}${waited}`;
  });
}

function patternDefs(): string {
  return WAIT_KINDS.map((k) => {
    const st = WAIT_STYLE[k];
    return `<pattern id="wait-${k}" width="8" height="8" patternUnits="userSpaceOnUse"><rect width="8" height="8" fill="${st.fill}"/><path d="${st.path}" stroke="${st.ink}" stroke-width="1.6"/></pattern>`;
  }).join('');
}

function stepRow(s: StepStatus, i: number, waits: readonly StepWait[], x: (t: number) => number, spanStart: number, now: number): string {
  const y = TOP + i * ROW;
  const barY = y + 6;
  const start = ms(s.startedAt);
  const end = ms(s.endedAt) ?? (s.state === 'running' ? now : undefined);
  const x0 = start !== undefined ? x(start) : x(spanStart);
  const x1 = end !== undefined && start !== undefined ? x(end) : x0;
  const width = Math.max(MIN_BAR, x1 - x0);
  const duration = start !== undefined && end !== undefined ? formatDuration(end - start) : '';
  const times = start === undefined ? 'not started' : `${formatClock(s.startedAt)} → ${end !== undefined ? formatClock(new Date(end).toISOString()) : '…'}${duration ? `  (${duration})` : ''}`;
  const barTitle = `${s.step}: ${s.state}; ${times}${s.detail ? ` — ${s.detail}` : ''}`;
  const overlays = waits.map((w) => {
    const ws = ms(w.startedAt) ?? 0;
    const we = ms(w.endedAt) ?? now;
    const wx = x(ws);
    const ww = Math.max(2, x(we) - wx);
    const title = `${WAIT_LABEL[w.kind]}: ${formatClock(w.startedAt)} → ${w.endedAt ? formatClock(w.endedAt) : 'still waiting'} (${formatDuration(we - ws)}${w.count > 1 ? `, ${w.count} waits` : ''})`;
    return `<rect class="wait wait-${w.kind}" data-kind="${w.kind}" x="${round(wx)}" y="${barY + 3}" width="${round(ww)}" height="${BAR - 6}" fill="url(#wait-${w.kind})"><title>${esc(title)}</title></rect>`;
  }).join('');
  const waited = waits.length > 0 ? `<text class="waits-text" x="${W - RIGHT + 12}" y="${y + 31}">${esc(`waited: ${waitsText(waits, (w) => ms(w.endedAt) ?? now)}`)}</text>` : '';
  return `<g class="step" data-step="${esc(s.step)}" data-state="${esc(s.state)}">`
    + `<rect class="row-bg" x="${LEFT}" y="${y + 2}" width="${PLOT}" height="${ROW - 4}"/>`
    + `<text class="lbl" x="${LEFT - 10}" y="${barY + 13}" text-anchor="end">${esc(s.step)}</text>`
    + `<rect class="step-bar step-${esc(s.state)}" data-step="${esc(s.step)}" x="${round(x0)}" y="${barY}" width="${round(width)}" height="${BAR}" rx="3"><title>${esc(barTitle)}</title></rect>`
    + overlays
    + `<text class="times" x="${W - RIGHT + 12}" y="${barY + 13}">${esc(times)}</text>`
    + waited
    + '</g>';
}

function axis(spanMs: number, x: (t: number) => number, startMs: number, rows: number): string {
  const step = tickStep(spanMs);
  const ticks: string[] = [];
  const bottom = TOP + rows * ROW;
  for (let t = 0; t <= spanMs + 0.5; t += step) {
    const px = round(x(startMs + t));
    ticks.push(`<line x1="${px}" y1="${TOP - 6}" x2="${px}" y2="${bottom}"/><text x="${px}" y="${TOP - 12}" text-anchor="middle">${t === 0 ? '0' : `+${esc(formatDuration(t))}`}</text>`);
  }
  return `<g class="axis">${ticks.join('')}</g>`;
}

const LEGEND_ITEM = 185;
const LEGEND_LINE = 20;

/** The legend: a step bar, then each wait kind the run had; wraps onto more lines as needed. */
function legend(y: number, kinds: readonly WaitKind[]): { svg: string; height: number } {
  const items = [
    (lx: number, ly: number) => `<rect class="step-bar step-done" x="${lx}" y="${ly}" width="22" height="12" rx="2"/><text class="times" x="${lx + 28}" y="${ly + 10}">step (start → end)</text>`,
    ...kinds.map((k) => (lx: number, ly: number) => `<rect class="wait" x="${lx}" y="${ly}" width="22" height="12" fill="url(#wait-${k})"/><text class="times" x="${lx + 28}" y="${ly + 10}">${esc(`waiting: ${WAIT_LABEL[k]}`)}</text>`),
  ];
  const perLine = Math.max(1, Math.floor((W - LEFT) / LEGEND_ITEM));
  const svg = items.map((draw, i) => draw(LEFT + (i % perLine) * LEGEND_ITEM, y + Math.floor(i / perLine) * LEGEND_LINE)).join('');
  return { svg: `<g class="legend">${svg}</g>`, height: Math.ceil(items.length / perLine) * LEGEND_LINE };
}

/** The run's timeline as inline SVG (one `.step-bar` per step). */
export function timelineSvg(run: RunView, nowIso: string): string {
  const { startMs, endMs } = runSpan(run, nowIso);
  const span = endMs - startMs;
  const x = (t: number): number => LEFT + ((t - startMs) / span) * PLOT;
  const now = ms(nowIso) ?? endMs;
  const kinds = WAIT_KINDS.filter((k) => run.waits.some((w) => w.kind === k));
  const key = legend(TOP + run.steps.length * ROW + 12, kinds);
  const height = TOP + run.steps.length * ROW + 12 + key.height + 4;
  const title = `Timeline of run ${run.instanceId} (${run.mode}), ${run.runtimeStatus}: ${formatDuration(span)} from ${formatTime(new Date(startMs).toISOString())}`;
  const desc = `${run.steps.length} steps, one bar each from its start to its end, waits drawn inside their step. ${describeSteps(run, nowIso).join('. ')}.`;
  const rows = inTimeOrder(run.steps).map((s, i) => stepRow(s, i, run.waits.filter((w) => w.step === s.step), x, startMs, now)).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" class="timeline" viewBox="0 0 ${W} ${height}" width="${W}" height="${height}" role="img" aria-labelledby="timeline-title timeline-desc">`
    + `<title id="timeline-title">${esc(title)}</title><desc id="timeline-desc">${esc(desc)}</desc>`
    + `<defs>${patternDefs()}</defs>`
    + axis(span, x, startMs, run.steps.length)
    + rows
    + key.svg
    + '</svg>';
}
