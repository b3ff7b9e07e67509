/**
 * The isolation report page of one registry (pure): the registry, its private endpoints and the
 * public network access of each of its resources as ARM reports them now, the DNS proof per name,
 * the exposure window, the last run's timeline and the runs before it. Every value is escaped.
 */
import { lastSegmentOf } from '../../shared/arm-id';
import type { DnsCheck } from '../../hardening/domain/hardening';
import { describeDnsCheck } from '../../hardening/domain/dns-expectations';
import { esc, formatClock, formatDuration, formatTime, head, href, okCell, page, sortableHead, stateBadge, timeCell } from './html';
import { runResult, type RegistryReport, type ReportEndpoint, type RunView } from './report';
import { inTimeOrder, timelineSvg, WAIT_LABEL } from './timeline';

const KIND_LABEL = { registry: 'Registry', storage: 'Storage account', acr: 'Container registry' } as const;

/** `n of m`, marked good when all (and at least one) are. */
function ratio(n: number, of: number): string {
  return `<span class="${of > 0 && n === of ? 'ok' : 'bad'}">${esc(`${n} of ${of}`)}</span>`;
}

function facts(report: RegistryReport): string {
  const r = report.registry;
  const exposure = report.exposure;
  const off = report.publicAccess.filter((p) => p.ok).length;
  const approved = report.endpoints.filter((e) => e.connectionStatus === 'Approved').length;
  const privateNames = report.dns.checks.filter((c) => c.ok).length;
  const regions = r.regions.length > 0 ? r.regions.map((g) => (g === r.location ? `${g} (home)` : g)).join(', ') : '';
  const items: Array<[string, string]> = [
    ['Regions', regions !== '' ? esc(regions) : '<span class="none">none reported</span>'],
    ['Managed resource group', r.managedResourceGroupId ? `<span class="mono">${esc(lastSegmentOf(r.managedResourceGroupId))}</span>` : '<span class="none">not found</span>'],
    ['Public network access off', ratio(off, report.publicAccess.length)],
    ['Private endpoints approved', ratio(approved, report.endpoints.length)],
    ['Names resolving privately', ratio(privateNames, report.dns.checks.length)],
    ['Exposure window', exposure ? esc(formatDuration(exposure.windowMs)) : '<span class="none">not known</span>'],
    ['Last checked by a run', report.state.lastCheckedAt ? timeCell(report.state.lastCheckedAt) : '<span class="none">never</span>'],
  ];
  return `<dl class="facts">${items.map(([k, v]) => `<div><dt>${esc(k)}</dt><dd>${v}</dd></div>`).join('')}</dl>`;
}

function problemsOf(report: RegistryReport): string[] {
  const lines: string[] = [];
  if (report.registry.provisioning) lines.push(`The registry is still provisioning: ${report.registry.provisioning}`);
  for (const r of report.publicAccess) if (r.error) lines.push(`${KIND_LABEL[r.kind]} ${r.name}: could not be read: [${r.error.code}] ${r.error.message}`);
  for (const e of report.endpoints) if (e.error) lines.push(`Private endpoint ${e.name}: could not be read: [${e.error.code}] ${e.error.message}`);
  if (report.dns.error) lines.push(`DNS proof: [${report.dns.error.code}] ${report.dns.error.message}`);
  return lines;
}

function endpointsSection(endpoints: readonly ReportEndpoint[]): string {
  const rows = endpoints.map((e) => `<tr>
<td class="mono wrap">${esc(e.name)}</td>
<td>${esc(KIND_LABEL[e.targetKind])}<br><span class="mono wrap">${esc(e.targetName)}</span></td>
<td class="mono">${esc(e.groupIds.join(', '))}</td>
<td class="mono wrap" title="${esc(e.subnetId)}">${esc(lastSegmentOf(e.subnetId))}${e.inAppSubnet ? ' <span class="none">(the app’s subnet)</span>' : ''}</td>
<td class="mono">${e.privateIps.length > 0 ? esc(e.privateIps.join(', ')) : '<span class="none">–</span>'}</td>
<td data-key="${esc(e.connectionStatus)}">${okCell(e.connectionStatus === 'Approved', e.connectionStatus, e.connectionStatus || 'unknown')}${e.connectionDescription ? `<br><span class="none wrap">${esc(e.connectionDescription)}</span>` : ''}</td>
<td>${esc(e.provisioningState)}</td>
</tr>`).join('\n');
  const body = endpoints.length > 0
    ? `<table data-sortable><caption>Every private endpoint connected to the registry, its storage accounts and its container registry, as Azure Resource Manager reports it now.</caption>
<thead><tr>${sortableHead('Endpoint')}${sortableHead('Target')}${sortableHead('Group')}${sortableHead('Subnet')}${head('Private IPs')}${sortableHead('Connection')}${head('Provisioning')}</tr></thead>
<tbody>
${rows}
</tbody></table>`
    : '<p class="note">No private endpoint is connected to the registry or its resources.</p>';
  return `<section id="endpoints"><h2>Private endpoints</h2>${body}</section>`;
}

function publicAccessSection(report: RegistryReport): string {
  const rows = report.publicAccess.map((p) => `<tr>
<td>${esc(KIND_LABEL[p.kind])}</td>
<td class="mono wrap">${esc(p.name)}</td>
<td>${esc(p.region)}</td>
<td>${p.publicNetworkAccess !== undefined ? esc(p.publicNetworkAccess) : '<span class="none">could not be read</span>'}</td>
<td>${p.expected === 'Disabled' ? 'Disabled' : `left public${p.reason ? ` <span class="none wrap">(${esc(p.reason)})</span>` : ''}`}</td>
<td data-key="${p.ok ? '1' : '0'}">${okCell(p.ok, p.expected === 'Disabled' ? 'off' : 'as planned', p.publicNetworkAccess === undefined ? 'unknown' : 'on')}</td>
</tr>`).join('\n');
  return `<section id="public-access"><h2>Public network access</h2>
<table data-sortable><caption>The registry, each of its storage accounts (one per region) and its container registry, read from Azure Resource Manager now (not taken from the last run).</caption>
<thead><tr>${sortableHead('Resource')}${sortableHead('Name')}${sortableHead('Region')}${sortableHead('Public network access')}${head('Wanted')}${sortableHead('Result')}</tr></thead>
<tbody>
${rows}
</tbody></table></section>`;
}

/** Two forms of one name (public and privatelink): the page says "reported as" only for another name (a wildcard). */
function sameName(a: string, b: string): boolean {
  const plain = (n: string): string => n.toLowerCase().replace(/\.$/, '').replace('.privatelink.', '.');
  return plain(a) === plain(b);
}

interface DnsRow {
  fqdn: string;
  now?: DnsCheck;
  last?: DnsCheck;
}

/** The names of both proofs, each once (the live proof's order first, then names only the last run resolved). */
function dnsRows(report: RegistryReport): DnsRow[] {
  const rows = new Map<string, DnsRow>();
  for (const c of report.dns.checks) rows.set(c.fqdn.toLowerCase(), { fqdn: c.fqdn, now: c });
  for (const c of report.lastRunDns?.checks ?? []) {
    const row = rows.get(c.fqdn.toLowerCase()) ?? { fqdn: c.fqdn };
    rows.set(c.fqdn.toLowerCase(), { ...row, last: c });
  }
  return [...rows.values()];
}

function answeredCell(c: DnsCheck | undefined): string {
  if (c === undefined) return '<span class="none">–</span>';
  const answered = c.answered.length > 0 ? esc(c.answered.join(', ')) : '<span class="none">nothing</span>';
  return `${answered}${c.chain.length > 0 ? `<br><span class="none">via ${esc(c.chain.join(' → '))}</span>` : ''}`;
}

function resultCell(c: DnsCheck | undefined): string {
  if (c === undefined) return '<td data-key="2"><span class="none">not resolved</span></td>';
  return `<td data-key="${c.ok ? '1' : '0'}">${okCell(c.ok, 'private', 'not private')}${c.ok ? '' : `<br><span class="none wrap">${esc(describeDnsCheck(c))}</span>`}</td>`;
}

/** The last run's result for a name, with what it answered then when that differs from now. */
function lastRunCell(last: DnsCheck | undefined, now: DnsCheck | undefined): string {
  if (last === undefined) return '<td data-key="2"><span class="none">–</span></td>';
  const differs = now === undefined || last.answered.join(',') !== now.answered.join(',');
  const then = differs ? `<br><span class="mono none">${esc(last.answered.join(', ') || 'nothing')}</span>` : '';
  return `<td data-key="${last.ok ? '1' : '0'}">${okCell(last.ok, 'private', 'not private')}${then}</td>`;
}

function dnsSection(report: RegistryReport): string {
  const rows = dnsRows(report);
  const ok = report.dns.checks.filter((c) => c.ok).length;
  const when = `Resolved through the app's resolver for this report on ${formatTime(report.dns.checkedAt)}: ${ok} of ${report.dns.checks.length} name(s) answer their endpoint's private IP${report.lastRunDns ? `; the last run's own proof ran on ${formatTime(report.lastRunDns.checkedAt)}` : ''}.`;
  const table = rows.length === 0
    ? '<p class="note">No names to resolve: no private endpoint of the registry is in the app\'s subnet.</p>'
    : `<table data-sortable><caption>${esc(when)}</caption>
<thead><tr>${sortableHead('Name')}${sortableHead('Kind')}${head('Expected IP')}${head('Answered now')}${sortableHead('Now')}${sortableHead('At the last run')}</tr></thead>
<tbody>
${rows.map((r) => {
    const c = r.now ?? r.last;
    return `<tr>
<td class="mono wrap">${esc(r.fqdn)}${c?.reportedAs && !sameName(c.reportedAs, r.fqdn) ? `<br><span class="none">reported as ${esc(c.reportedAs)}</span>` : ''}</td>
<td>${esc(c?.kind ?? '')}</td>
<td class="mono">${esc(c?.expectedIp ?? '')}</td>
<td class="mono wrap">${answeredCell(r.now)}</td>
${resultCell(r.now)}
${lastRunCell(r.last, r.now)}
</tr>`;
  }).join('\n')}
</tbody></table>`;
  return `<section id="dns"><h2>DNS proof</h2><p class="note">Each name the endpoints in the app's subnet report, in the form that is resolved; it must answer the private IP Azure gave the endpoint.</p>${table}</section>`;
}

function exposureSection(report: RegistryReport): string {
  const e = report.exposure;
  const text = e
    ? `The registry was exposed for <strong>${esc(formatDuration(e.windowMs))}</strong>${e.from ? `: from its creation event at ${timeCell(e.from)}` : ''}${e.to ? ` to the last public-access write at ${timeCell(e.to)}` : ''} (run <span class="mono">${esc(e.instanceId)}</span>).`
    : 'Not known: no run of the app both knew when the registry was created and turned its public access off.';
  return `<section id="exposure"><h2>Exposure window</h2><p>${text}</p></section>`;
}

/** A time of day with milliseconds, in a <time> element. */
function clockCell(iso: string | undefined): string {
  const shown = formatClock(iso);
  return shown === '' ? '<span class="none">–</span>' : `<time datetime="${esc(iso)}">${esc(shown)}</time>`;
}

function stepsTable(run: RunView): string {
  const rows = inTimeOrder(run.steps).map((s) => {
    const waits = run.waits.filter((w) => w.step === s.step);
    const start = s.startedAt ? Date.parse(s.startedAt) : NaN;
    const end = s.endedAt ? Date.parse(s.endedAt) : NaN;
    return `<tr>
<th scope="row">${esc(s.step)}</th>
<td>${esc(s.state)}</td>
<td class="mono nowrap">${clockCell(s.startedAt)}</td>
<td class="mono nowrap">${clockCell(s.endedAt)}</td>
<td class="nowrap">${Number.isNaN(start) || Number.isNaN(end) ? '<span class="none">–</span>' : esc(formatDuration(end - start))}</td>
<td>${waits.length > 0 ? esc(waits.map((w) => `${WAIT_LABEL[w.kind]}${w.count > 1 ? ` ×${w.count}` : ''}: ${formatClock(w.startedAt)} → ${w.endedAt ? formatClock(w.endedAt) : 'waiting'}`).join('; ')) : '<span class="none">–</span>'}</td>
<td class="wrap">${esc(s.detail)}</td>
</tr>`;
  }).join('\n');
  return `<table><caption>${esc(`The same steps as a table (times UTC${run.steps[0]?.startedAt ? `, ${formatTime(run.steps[0].startedAt).slice(0, 10)}` : ''}).`)}</caption>
<thead><tr>${head('Step')}${head('State')}${head('Started')}${head('Ended')}${head('Took')}${head('Waits')}${head('Detail')}</tr></thead>
<tbody>
${rows}
</tbody></table>`;
}

function lastRunSection(report: RegistryReport): string {
  const run = report.lastRun;
  if (run === undefined) return '<section id="last-run"><h2>Last run</h2><p class="note">The app has no run of this registry yet.</p></section>';
  const picture = run.steps.length > 0
    ? `<figure class="timeline">${timelineSvg(run, report.generatedAt)}<figcaption>${esc(`Run ${run.instanceId}: ${run.mode}, started by ${run.trigger ?? 'unknown'}, ${runResult(run)}. One bar per step, from its start to its end; the waits inside a step are drawn over it. Times are UTC.`)}</figcaption></figure>`
    : '<p class="note">The run has not reported its steps yet.</p>';
  const error = run.error ? `<p class="bad wrap">${esc(`${run.error.code !== undefined ? `[${run.error.code}] ` : ''}${run.error.message}`)}</p>` : '';
  return `<section id="last-run"><h2>Last run</h2>${error}${picture}${run.steps.length > 0 ? stepsTable(run) : ''}</section>`;
}

function runsSection(report: RegistryReport): string {
  if (report.runs.length === 0) return '';
  const rows = report.runs.map((r, i) => {
    const detail = r.error ? `${r.error.code !== undefined ? `[${r.error.code}] ` : ''}${r.error.message}` : r.outcome ? `${r.outcome.changes.length} change(s), ${r.outcome.alreadyCompliant.length} already right${r.outcome.warnings.length > 0 ? `, ${r.outcome.warnings.length} warning(s)` : ''}` : '';
    return `<tr>
<td class="mono wrap">${esc(r.instanceId)}${i === 0 ? ' <span class="none">(last)</span>' : ''}</td>
<td>${esc(r.mode)}</td>
<td>${esc(r.trigger ?? '')}</td>
<td data-key="${esc(r.createdTime)}">${timeCell(r.createdTime)}</td>
<td data-key="${esc(r.lastUpdatedTime)}">${timeCell(r.lastUpdatedTime)}</td>
<td>${esc(runResult(r))}</td>
<td class="wrap">${esc(detail)}</td>
</tr>`;
  }).join('\n');
  return `<section id="runs"><h2>Runs</h2>
<table data-sortable><caption>Every run of this registry in the app's run history, newest first, and its outcome.</caption>
<thead><tr>${sortableHead('Run')}${sortableHead('Mode')}${sortableHead('Started by')}${sortableHead('Started')}${sortableHead('Last update')}${sortableHead('Outcome')}${head('Detail')}</tr></thead>
<tbody>
${rows}
</tbody></table></section>`;
}

/** The registry's isolation report as a whole HTML page. */
export function renderRegistryPage(report: RegistryReport): string {
  const problems = problemsOf(report);
  const main = [
    facts(report),
    problems.length > 0 ? `<div class="problems" role="note"><strong>Not everything could be read:</strong><ul>${problems.map((p) => `<li class="wrap">${esc(p)}</li>`).join('')}</ul></div>` : '',
    endpointsSection(report.endpoints),
    publicAccessSection(report),
    dnsSection(report),
    exposureSection(report),
    lastRunSection(report),
    runsSection(report),
  ].join('\n');
  return page({
    title: `Isolation report: ${report.registry.name}`,
    eyebrow: 'AML registry isolation report',
    heading: report.registry.name,
    sub: report.registry.id,
    stateLine: `<p class="state-line">${stateBadge(report.state.state)} <span class="why wrap">${esc(report.state.detail)}</span></p>`,
    nav: `<a data-app-link href="${href(report.links.fleet)}">Fleet overview</a><a data-app-link href="${href(report.links.json)}">This report as JSON</a>`,
    main,
    generatedAt: report.generatedAt,
  });
}
