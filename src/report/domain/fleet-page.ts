/**
 * The fleet page (pure): every registry of the target subscriptions with its state, when a run
 * last checked it and a link to its report, the counts per state, and the subscriptions that
 * could not be listed. Server-rendered; the only script is the shell's table sorting.
 */
import { esc, head, href, page, sortableHead, stateBadge, timeCell } from './html';
import { REGISTRY_STATES, STATE_LABEL, type FleetOverview } from './report';

function countsTable(fleet: FleetOverview): string {
  const heads = REGISTRY_STATES.map((s) => `<th scope="col">${stateBadge(s)}</th>`).join('');
  const cells = REGISTRY_STATES.map((s) => `<td class="n${fleet.counts[s] > 0 ? '' : ' zero'}">${esc(String(fleet.counts[s]))}</td>`).join('');
  return `<table class="counts"><caption>Registries per state, ${esc(String(fleet.registries.length))} in all.</caption>
<thead><tr>${heads}</tr></thead>
<tbody><tr>${cells}</tr></tbody></table>`;
}

function scopeSection(fleet: FleetOverview): string {
  const lines = [
    ...(fleet.managementGroups ?? []).map((g) => ({ what: `management group ${g.managementGroupId}`, ok: g.ok, text: g.ok ? `${g.subscriptions} subscription(s)` : `[${g.error?.code ?? '?'}] ${g.error?.message ?? ''}` })),
    ...fleet.subscriptions.map((s) => ({ what: `subscription ${s.subscriptionId}`, ok: s.ok, text: s.ok ? `${s.registries} registr${s.registries === 1 ? 'y' : 'ies'}` : `could not be listed: [${s.error?.code ?? '?'}] ${s.error?.message ?? ''}` })),
  ];
  const rows = lines.map((l) => `<tr><td class="mono wrap">${esc(l.what)}</td><td>${l.ok ? '<span class="ok"><span aria-hidden="true">✔</span> listed</span>' : '<span class="bad"><span aria-hidden="true">✘</span> failed</span>'}</td><td class="wrap">${esc(l.text)}</td></tr>`).join('\n');
  return `<section id="scope"><h2>Target scope</h2><p class="note">The target subscriptions (TARGET_SUBSCRIPTION_IDS and the members of TARGET_MANAGEMENT_GROUP); ${esc(String(fleet.failures))} could not be listed.</p>
<table><caption>What the overview covers.</caption><thead><tr>${head('Scope')}${head('Listed')}${head('Detail')}</tr></thead><tbody>
${rows}
</tbody></table></section>`;
}

const STATE_ORDER = Object.fromEntries(REGISTRY_STATES.map((s, i) => [s, `${i}`])) as Record<string, string>;

function registriesSection(fleet: FleetOverview): string {
  if (fleet.registries.length === 0) return '<section id="registries"><h2>Registries</h2><p class="note">No registry in the target subscriptions.</p></section>';
  const rows = fleet.registries.map((r) => `<tr>
<td class="nowrap"><a data-app-link href="${href(r.reportUrl)}">${esc(r.name)}</a></td>
<td data-key="${esc(STATE_ORDER[r.state] ?? '9')}">${stateBadge(r.state)}</td>
<td data-key="${esc(r.lastCheckedAt ?? '')}">${timeCell(r.lastCheckedAt)}</td>
<td class="mono wrap">${esc(r.resourceGroup)}</td>
<td class="mono">${esc(r.subscriptionId)}</td>
<td>${esc(r.location)}</td>
<td class="wrap">${esc(r.detail)}</td>
</tr>`).join('\n');
  return `<section id="registries"><h2>Registries</h2>
<table data-sortable id="registry-table"><caption>Every registry in the target scope, its state and when a run of the app last checked it. Each name links to the registry's isolation report; select a column heading to sort.</caption>
<thead><tr>${sortableHead('Registry')}${sortableHead('State')}${sortableHead('Last checked')}${sortableHead('Resource group')}${sortableHead('Subscription')}${sortableHead('Region')}${head('Why')}</tr></thead>
<tbody>
${rows}
</tbody></table></section>`;
}

/** The fleet overview as a whole HTML page. */
export function renderFleetPage(fleet: FleetOverview): string {
  const summary = REGISTRY_STATES.filter((s) => fleet.counts[s] > 0).map((s) => `${fleet.counts[s]} ${STATE_LABEL[s].toLowerCase()}`).join(', ');
  return page({
    title: 'Isolation overview: every registry',
    eyebrow: 'AML registry isolation',
    heading: 'Fleet overview',
    subMono: false,
    sub: `${fleet.registries.length} registr${fleet.registries.length === 1 ? 'y' : 'ies'}${summary ? `: ${summary}` : ''}`,
    nav: `<a data-app-link href="${href(fleet.links.json)}">This overview as JSON</a>`,
    main: [`<section id="counts"><h2>States</h2>${countsTable(fleet)}</section>`, registriesSection(fleet), scopeSection(fleet)].join('\n'),
    generatedAt: fleet.generatedAt,
  });
}
