/**
 * The report pages' HTML toolkit (pure): escaping, time and duration formats, and the page shell
 * with its one stylesheet (screen and print) and its one small script (table sorting). The pages
 * are self-contained — no external font, stylesheet, script or image — and every value that
 * reaches them goes through `esc` (names of registries, endpoints and resource groups are chosen
 * by whoever created them). The shell's Content-Security-Policy allows exactly the page's own
 * style and script (by hash) and nothing from anywhere else.
 */
import { sha256Hex } from '../../shared/hash';
import { APP_NAME, APP_VERSION } from '../../shared/version';
import { STATE_LABEL, type RegistryState } from './report';

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** Text or an attribute value (always written in double quotes), escaped; control characters become U+FFFD. */
export function esc(value: unknown): string {
  const s = value === undefined || value === null ? '' : String(value);
  // eslint-disable-next-line no-control-regex
  return s.replace(/[&<>"'`]/g, (c) => ENTITIES[c] ?? c).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '\ufffd');
}

/** A link target the pages make: an http(s) URL or a path on this host; anything else becomes '#'. */
export function href(url: string): string {
  return /^https?:\/\//i.test(url) || /^\/(?!\/)/.test(url) ? esc(url) : '#';
}

/** 2026-03-01 10:00:03 UTC ('' when not a time). */
export function formatTime(iso: string | undefined): string {
  if (iso === undefined || iso === '') return '';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  return `${new Date(t).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** 10:00:03.120 (UTC, for the timeline's labels). */
export function formatClock(iso: string | undefined): string {
  if (iso === undefined || iso === '') return '';
  const t = Date.parse(iso);
  return Number.isNaN(t) ? '' : new Date(t).toISOString().slice(11, 23);
}

/** 420 ms · 4.2 s · 3 min 12 s · 2 h 5 min. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 10_000) return `${(Math.floor(ms / 100) / 10).toFixed(1)} s`;
  if (ms < 60_000) return `${Math.floor(ms / 1000)} s`;
  if (ms < 3_600_000) {
    const s = Math.floor((ms % 60_000) / 1000);
    return `${Math.floor(ms / 60_000)} min${s > 0 ? ` ${s} s` : ''}`;
  }
  const min = Math.floor((ms % 3_600_000) / 60_000);
  return `${Math.floor(ms / 3_600_000)} h${min > 0 ? ` ${min} min` : ''}`;
}

/** A <time> element (machine-readable datetime, human text), or an en dash. */
export function timeCell(iso: string | undefined): string {
  const shown = formatTime(iso);
  return shown === '' ? '<span class="none">–</span>' : `<time datetime="${esc(iso)}">${esc(shown)}</time>`;
}

const STATE_ICON: Readonly<Record<RegistryState, string>> = { Hardened: '✔', Drifted: '⚠', Failed: '✘', Exempt: '○', NeverRun: '·', Running: '…' };

/** The state badge (icon + word, never colour alone). */
export function stateBadge(state: RegistryState): string {
  return `<span class="badge state-${esc(state)}"><span aria-hidden="true">${STATE_ICON[state]}</span> ${esc(STATE_LABEL[state])}</span>`;
}

/** A ✔/✘ result cell. */
export function okCell(ok: boolean, yes = 'yes', no = 'no'): string {
  return ok ? `<span class="ok"><span aria-hidden="true">✔</span> ${esc(yes)}</span>` : `<span class="bad"><span aria-hidden="true">✘</span> ${esc(no)}</span>`;
}

/** Bytes of a hex string as base64 (for CSP hashes, without Buffer: the domain stays pure). */
function hexToBase64(hex: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const bytes = (hex.match(/../g) ?? []).map((h) => parseInt(h, 16));
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const [a = 0, b = 0, c = 0] = bytes.slice(i, i + 3);
    const n = (a << 16) | (b << 8) | c;
    out += alphabet[(n >> 18) & 63] ?? '';
    out += alphabet[(n >> 12) & 63] ?? '';
    out += i + 1 < bytes.length ? (alphabet[(n >> 6) & 63] ?? '') : '=';
    out += i + 2 < bytes.length ? (alphabet[n & 63] ?? '') : '=';
  }
  return out;
}

/** `'sha256-…'` of an inline style or script, as a Content-Security-Policy source. */
export function cspHash(content: string): string {
  return `'sha256-${hexToBase64(sha256Hex(content))}'`;
}

/* ---------- the stylesheet ---------- */

export const STYLE = `
:root { color-scheme: light; --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --soft: #f6f8fa; --accent: #0550ae; }
* { box-sizing: border-box; }
html { font-size: 15px; }
body { margin: 0; color: var(--ink); background: #fff; font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Liberation Sans", "DejaVu Sans", Arial, sans-serif; line-height: 1.45; }
header.page { background: #0b2541; color: #fff; padding: 18px 32px 16px; }
header.page .eyebrow { margin: 0; font-size: 0.8rem; letter-spacing: 0.08em; text-transform: uppercase; color: #b6d4f5; }
header.page h1 { margin: 2px 0 4px; font-size: 1.7rem; font-weight: 650; overflow-wrap: anywhere; }
header.page .sub { margin: 0; color: #d7e6f6; font-size: 0.85rem; overflow-wrap: anywhere; }
header.page .state-line { margin: 10px 0 0; display: flex; gap: 10px; align-items: center; flex-wrap: wrap; }
header.page .state-line .why { color: #e8f1fb; }
nav.links { margin: 10px 0 0; font-size: 0.85rem; }
nav.links a { color: #cfe3ff; margin-right: 14px; }
main { padding: 8px 32px 32px; max-width: 1280px; }
section { margin-top: 26px; }
h2 { font-size: 1.2rem; margin: 0 0 4px; padding-bottom: 4px; border-bottom: 2px solid var(--line); }
p.note { margin: 4px 0 10px; color: var(--muted); font-size: 0.88rem; }
.mono, code, td.mono { font-family: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, monospace; font-size: 0.84rem; }
.wrap { overflow-wrap: anywhere; word-break: break-word; }
.nowrap { white-space: nowrap; }
dl.facts { display: grid; grid-template-columns: repeat(auto-fit, minmax(158px, 1fr)); gap: 10px; margin: 18px 0 0; }
dl.facts div { border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; background: var(--soft); min-width: 0; }
dl.facts dt { font-size: 0.75rem; text-transform: uppercase; letter-spacing: 0.06em; color: var(--muted); }
dl.facts dd { margin: 2px 0 0; font-weight: 600; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 4px; font-size: 0.9rem; }
caption { text-align: left; font-size: 0.85rem; color: var(--muted); padding: 2px 0 6px; caption-side: top; }
th, td { text-align: left; vertical-align: top; padding: 6px 8px; border-bottom: 1px solid var(--line); }
thead th { background: var(--soft); font-weight: 650; border-bottom: 2px solid var(--line); white-space: nowrap; }
tbody tr:hover { background: #fbfcfd; }
th button.sort { font: inherit; color: inherit; background: none; border: 0; padding: 0; cursor: pointer; text-decoration: underline dotted; }
th[aria-sort="ascending"] button.sort::after { content: " ▲"; }
th[aria-sort="descending"] button.sort::after { content: " ▼"; }
.none { color: var(--muted); }
.ok { color: #116329; font-weight: 600; white-space: nowrap; }
.bad { color: #a40e26; font-weight: 600; white-space: nowrap; }
.badge { display: inline-block; padding: 2px 10px; border-radius: 999px; font-weight: 650; font-size: 0.85rem; border: 1px solid transparent; white-space: nowrap; }
.state-Hardened { background: #dafbe1; color: #0f5323; border-color: #4ac26b; }
.state-Drifted { background: #fff1c2; color: #6c4400; border-color: #d4a72c; }
.state-Failed { background: #ffebe9; color: #8c0b1f; border-color: #ff8182; }
.state-Exempt { background: #ddf4ff; color: #033d8b; border-color: #54aeff; }
.state-NeverRun { background: #eef1f4; color: #3d444d; border-color: #afb8c1; }
.state-Running { background: #fbefff; color: #5a1ea6; border-color: #c297ff; }
table.counts { width: auto; }
table.counts th, table.counts td { padding: 8px 16px; text-align: center; border: 1px solid var(--line); }
table.counts thead th { background: #fff; }
table.counts td.n { font-size: 1.6rem; font-weight: 700; }
table.counts td.zero { color: var(--muted); font-weight: 500; }
.problems { border-left: 4px solid #d4a72c; background: #fff8e1; padding: 8px 12px; margin-top: 18px; }
figure.timeline { margin: 8px 0 0; }
figure.timeline svg { width: 100%; height: auto; max-width: 1100px; display: block; }
figure.timeline figcaption { font-size: 0.85rem; color: var(--muted); margin-top: 4px; }
svg .axis line { stroke: #d1d9e0; stroke-width: 1; }
svg .axis text, svg .lbl, svg .times { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif; fill: #1f2328; }
svg .axis text { font-size: 11px; fill: #59636e; }
svg .lbl { font-size: 13px; font-weight: 600; }
svg .times { font-size: 11px; }
svg .waits-text { font-size: 10.5px; fill: #59636e; }
svg .row-bg { fill: #f6f8fa; }
svg .step-bar { stroke: #1f2328; stroke-width: 1; }
svg .step-done { fill: #2f81f7; }
svg .step-running { fill: #8250df; }
svg .step-failed { fill: #cf222e; }
svg .step-skipped, svg .step-pending { fill: #d1d9e0; stroke-dasharray: 3 2; }
svg .wait { stroke: #1f2328; stroke-width: 0.75; }
footer.page { padding: 14px 32px 28px; color: var(--muted); font-size: 0.8rem; border-top: 1px solid var(--line); }
@media (max-width: 720px) { header.page, main, footer.page { padding-left: 14px; padding-right: 14px; } }
@media print {
  @page { size: A4; margin: 12mm; }
  html { font-size: 10.5pt; }
  body { color: #000; }
  header.page { background: #fff; color: #000; padding: 0 0 8px; border-bottom: 2px solid #000; }
  header.page .eyebrow, header.page .sub, header.page .state-line .why { color: #000; }
  nav.links, th button.sort::after { display: none; }
  th button.sort { text-decoration: none; }
  main { padding: 0; max-width: none; }
  footer.page { padding: 8px 0 0; color: #000; }
  a { color: #000; text-decoration: none; }
  .none, p.note, caption, dl.facts dt, figure.timeline figcaption { color: #333; }
  dl.facts div, thead th { background: #fff; }
  .badge { background: #fff !important; color: #000 !important; border: 1.5px solid #000 !important; }
  .ok, .bad { color: #000; }
  tr, dl.facts div, figure.timeline { break-inside: avoid; }
  thead { display: table-header-group; }
  section { margin-top: 14px; }
  svg .row-bg { fill: #fff; }
}
`;

/* ---------- the script: sortable tables, and the function key kept on this app's links ---------- */

export const SCRIPT = `
(function () {
  'use strict';
  function keyOf(cell) { return cell ? (cell.getAttribute('data-key') || cell.textContent || '').trim() : ''; }
  document.querySelectorAll('table[data-sortable]').forEach(function (table) {
    var heads = table.querySelectorAll('thead th');
    heads.forEach(function (th, column) {
      var button = th.querySelector('button.sort');
      if (!button) return;
      button.addEventListener('click', function () {
        var ascending = th.getAttribute('aria-sort') !== 'ascending';
        heads.forEach(function (h) { h.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = keyOf(a.cells[column]), y = keyOf(b.cells[column]);
          var c = x.localeCompare(y, undefined, { numeric: true, sensitivity: 'base' });
          return ascending ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });
})();
`;

let csp: string | undefined;

/**
 * The Content-Security-Policy of the pages: their own style and script, a data: icon, nothing
 * else. Made on the first page, not when the module loads (hashing both is a few ms of a cold start).
 */
export function pageCsp(): string {
  csp ??= [
    "default-src 'none'",
    `style-src ${cspHash(STYLE)}`,
    `script-src ${cspHash(SCRIPT)}`,
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return csp;
}

/** A whole page: head (title, the stylesheet, a data: icon so no favicon is fetched), header, main, footer, the script. */
export function page(args: { title: string; eyebrow: string; heading: string; sub: string; subMono?: boolean; stateLine?: string; nav: string; main: string; generatedAt: string }): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="${esc(APP_NAME)} ${esc(APP_VERSION)}">
<title>${esc(args.title)}</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body>
<header class="page">
<p class="eyebrow">${esc(args.eyebrow)}</p>
<h1>${esc(args.heading)}</h1>
<p class="sub${args.subMono === false ? '' : ' mono'}">${esc(args.sub)}</p>
${args.stateLine ?? ''}
<nav class="links" aria-label="Views">${args.nav}</nav>
</header>
<main>
${args.main}
</main>
<footer class="page">Generated by ${esc(APP_NAME)} ${esc(APP_VERSION)} on ${esc(formatTime(args.generatedAt))}. Public network access and private endpoints are read from Azure Resource Manager when the page is made; runs come from the app's run history.</footer>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

/** A sortable column header (a button in a th, with scope). */
export function sortableHead(label: string): string {
  return `<th scope="col"><button type="button" class="sort">${esc(label)}</button></th>`;
}

export function head(label: string): string {
  return `<th scope="col">${esc(label)}</th>`;
}

/** The page an error answers a browser with (the code and message, escaped). */
export function errorPage(args: { code: string; message: string; status: number; generatedAt: string }): string {
  return page({
    title: `${args.status} ${args.code} — isolation report`,
    eyebrow: 'Isolation report',
    heading: `No report: ${args.code}`,
    sub: `HTTP ${args.status}`,
    nav: '',
    main: `<section><h2>Why</h2><p class="wrap">${esc(args.message)}</p></section>`,
    generatedAt: args.generatedAt,
  });
}
