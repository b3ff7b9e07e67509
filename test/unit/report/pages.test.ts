import { createHash } from 'node:crypto';
import { renderFleetPage } from '../../../src/report/domain/fleet-page';
import { cspHash, errorPage, esc, formatDuration, href, pageCsp, SCRIPT, STYLE } from '../../../src/report/domain/html';
import { errorFormat, reportFormat } from '../../../src/report/domain/negotiate';
import { renderRegistryPage } from '../../../src/report/domain/registry-page';
import { assembleFleetOverview, type FleetOverview, type IsolationReading } from '../../../src/report/domain/report';
import { describeSteps, inTimeOrder, runSpan, tickStep, timelineSvg } from '../../../src/report/domain/timeline';
import { appliedSteps, at, HOSTILE, hardenedOutcome, reading, report, run } from './report-fixtures';

const count = (html: string, needle: string | RegExp): number => (typeof needle === 'string' ? html.split(needle).length - 1 : (html.match(needle) ?? []).length);

/** What escaping must never let through: the hostile string's markup, raw. */
function expectNothingHostile(html: string): void {
  expect(html).not.toContain('<script>alert');
  expect(html).not.toContain('<img');
  expect(html).not.toContain('onerror=alert(2)>');
  expect(html).not.toContain('"><script');
  expect(html).not.toContain(HOSTILE.slice(0, 20));
  expect(html).not.toContain('\u0007');
  // the page's own script is the only one, and nothing is loaded from anywhere
  expect(count(html, '<script')).toBe(1);
  // no tag loads anything or carries an event handler (escaped text and quoted values may spell them: they are text)
  const tags = html.replace(/="[^"]*"/g, '=""');
  expect(tags).not.toMatch(/<[a-zA-Z][^<>]*\s(?:src|srcset|on[a-z]+)\s*=/);
  expect(html).not.toMatch(/<link(?![^>]*href="data:,")[^>]*>/i);
  // nothing fetched by the style either: only the SVG's own patterns (url(#…))
  expect(html.replace(SCRIPT, '')).not.toMatch(/@import|url\((?!#)/i);
}

/** Everything named after whoever created the resources. */
function hostileReading(): IsolationReading {
  const r = reading();
  return {
    ...r,
    registry: { ...r.registry, name: `reg${HOSTILE}`, resourceGroup: `rg${HOSTILE}`, id: `/subscriptions/x/resourceGroups/rg${HOSTILE}/providers/Microsoft.MachineLearningServices/registries/reg${HOSTILE}`, regions: [`eu${HOSTILE}`], managedResourceGroupId: `/x/mrg${HOSTILE}`, provisioning: `still ${HOSTILE}` },
    resources: r.resources.map((x, i) => (i === 1 ? { ...x, name: `st${HOSTILE}`, region: HOSTILE, publicNetworkAccess: HOSTILE } : i === 2 ? { ...x, name: `st2${HOSTILE}`, publicNetworkAccess: undefined, error: { code: 'ARM.FORBIDDEN', message: HOSTILE } } : x)),
    endpoints: r.endpoints.map((e, i) => ({ ...e, name: `pe${HOSTILE}`, targetName: HOSTILE, subnetId: `/x/subnets/sn${HOSTILE}`, groupIds: [HOSTILE], privateIps: [HOSTILE], connectionStatus: i === 0 ? HOSTILE : e.connectionStatus, connectionDescription: HOSTILE, provisioningState: HOSTILE, ...(i === 3 ? { error: { code: 'ARM.NOT_FOUND', message: HOSTILE } } : {}) })),
    dns: { source: 'now', checkedAt: at(200_000), checks: [{ fqdn: `a${HOSTILE}.privatelink.api.azureml.ms`, expectedIp: HOSTILE, endpointId: HOSTILE, kind: 'registry', ok: false, answered: [HOSTILE], chain: [HOSTILE], reportedAs: HOSTILE, error: HOSTILE }], error: { code: 'DNS.X', message: HOSTILE } },
  };
}

describe('escaping', () => {
  it('escapes markup, quotes, backticks and control characters, text and attributes alike', () => {
    expect(esc(`<a href="x" onclick='y'>&\`\u0000`)).toBe('&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&#96;\ufffd');
    expect(esc(undefined)).toBe('');
    expect(href('javascript:alert(1)')).toBe('#');
    expect(href('//evil.example/x')).toBe('#');
    expect(href('https://app.example/a?b=1&c="2"')).toBe('https://app.example/a?b=1&amp;c=&quot;2&quot;');
    expect(href('/api/fleet/report')).toBe('/api/fleet/report');
  });

  it("the registry page: every name an attacker chooses (registry, resource group, endpoint, storage, subnet, DNS answer, ARM's messages, a step's detail) is escaped", () => {
    const steps = appliedSteps().map((s) => (s.step === 'dns' ? { ...s, detail: HOSTILE } : s));
    const hostileRun = run({ instanceId: `harden-${HOSTILE}`, steps, input: { registryId: `/subscriptions/x/resourceGroups/rg/providers/Microsoft.MachineLearningServices/registries/r`, trigger: HOSTILE, mode: 'apply' }, output: hardenedOutcome({ changes: [HOSTILE], dns: [{ fqdn: `b${HOSTILE}`, expectedIp: '1', endpointId: 'x', kind: 'registry', ok: false, answered: [HOSTILE], chain: [] }] }) });
    const failed = run({ instanceId: 'f', runtimeStatus: 'Failed', output: `[ARM.FORBIDDEN] ${HOSTILE}`, createdTime: at(-900_000) });
    const html = renderRegistryPage(report({ reading: hostileReading(), runs: [hostileRun, failed] }));
    expectNothingHostile(html);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;&#39;&amp;amp;&#96;\ufffd');
    expect(count(html, '&lt;script&gt;alert(1)')).toBeGreaterThan(20);
  });

  it('the fleet page and the error page escape too', () => {
    const fleet = assembleFleetOverview({
      generatedAt: at(0),
      managementGroups: [{ managementGroupId: `mg${HOSTILE}`, ok: false, subscriptions: 0, error: { code: 'ARM.FORBIDDEN', message: HOSTILE } }],
      subscriptions: [{ subscriptionId: `s${HOSTILE}`, ok: false, registries: 0, error: { code: HOSTILE, message: HOSTILE } }],
      registries: [{ registryId: HOSTILE, name: `r${HOSTILE}`, subscriptionId: HOSTILE, resourceGroup: `rg${HOSTILE}`, location: HOSTILE, state: 'Failed', detail: HOSTILE, lastCheckedAt: HOSTILE, reportUrl: `javascript:alert(3)${HOSTILE}` }],
      links: { self: HOSTILE, json: `"><script>alert(4)</script>` },
    });
    const html = renderFleetPage(fleet);
    expectNothingHostile(html);
    expect(html).not.toContain('javascript:');
    expect(html).toContain('href="#"');
    const error = errorPage({ code: HOSTILE, message: HOSTILE, status: 404, generatedAt: at(0) });
    expectNothingHostile(error);
  });
});

describe('the registry page', () => {
  const html = renderRegistryPage(report());

  it('is one self-contained document: its style and script inline, allowed by hash and nothing else', () => {
    expectNothingHostile(html);
    const sha = (s: string) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;
    expect(cspHash(STYLE)).toBe(sha(STYLE));
    expect(cspHash(SCRIPT)).toBe(sha(SCRIPT));
    expect(pageCsp()).toBe(`default-src 'none'; style-src ${sha(STYLE)}; script-src ${sha(SCRIPT)}; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`);
    expect(html).toContain(`<style>${STYLE}</style>`);
    expect(html).toContain(`<script>${SCRIPT}</script>`);
    expect(html).not.toMatch(/\sstyle="/);
    expect(html).toMatch(/^<!DOCTYPE html>\n<html lang="en">/);
    expect(html).toContain('@media print');
  });

  it('has its facts, a semantic table per part with scoped headers, and the state', () => {
    expect(html).toContain('<span class="badge state-Hardened">');
    for (const id of ['endpoints', 'public-access', 'dns', 'exposure', 'last-run', 'runs']) expect(html).toContain(`<section id="${id}">`);
    expect(count(html, '<caption>')).toBe(5);
    expect(count(html, '<th scope="col">')).toBeGreaterThan(25);
    expect(html).toContain('<th scope="row">read</th>');
    expect(html).toContain('10.0.0.4');
    expect(html).toContain('exposed for <strong>42 s</strong>');
    expect(html).toContain('left public <span class="none wrap">(LOCKDOWN_ACR=false)</span>');
  });

  it('draws the last run as an SVG with a title and a description, one bar per step, the waits inside', () => {
    expect(count(html, '<svg ')).toBe(1);
    expect(html).toMatch(/<svg [^>]*role="img" aria-labelledby="timeline-title timeline-desc">/);
    expect(html).toContain('<title id="timeline-title">Timeline of run harden-reg1-0123456789abcdef (apply), Completed: 2 min 20 s from 2026-03-01 10:00:00 UTC</title>');
    expect(count(html, /<rect class="step-bar step-/g)).toBe(8 + 1); // 8 steps, 1 in the legend
    expect(count(html, /data-step="[a-z]+" x=/g)).toBe(8);
    expect(count(html, /<rect class="wait wait-/g)).toBe(4);
    expect(html).toContain('waited: ARM throttling 3.0 s · DNS retries 28 s');
  });
});

describe('the timeline', () => {
  it('rows in the order the steps started (lockdown before endpoints when it came first)', () => {
    expect(inTimeOrder(appliedSteps()).map((s) => s.step)).toEqual(['read', 'resolve', 'plan', 'lockdown', 'endpoints', 'approval', 'dns', 'publish']);
  });

  it('spans the steps (not the whole-second createdTime); a running step or open wait runs until now', () => {
    const r = run();
    expect(runSpan(r, at(999_000))).toEqual({ startMs: Date.parse(at(0)), endMs: Date.parse(at(140_300)) });
    const steps = appliedSteps().map((s) => (s.step === 'publish' ? { step: s.step, state: 'pending' as const, detail: '' } : s.step === 'dns' ? { ...s, state: 'running' as const, endedAt: undefined } : s));
    const running = run({ runtimeStatus: 'Running', steps, waits: [{ step: 'dns', kind: 'dns', startedAt: at(111_000), count: 1 }], lastUpdatedTime: at(111_000) });
    expect(runSpan(running, at(150_000)).endMs).toBe(Date.parse(at(150_000)));
    const svg = timelineSvg(running, at(150_000));
    expect(count(svg, /data-step="[a-z]+" x=/g)).toBe(8);
    expect(svg).toContain('still waiting');
    expect(describeSteps(running, at(150_000))).toContain('publish: pending, not started');
  });

  it('describes each step in words: its times, and what it waited for', () => {
    const lines = describeSteps(run(), at(0));
    expect(lines[3]).toBe('lockdown: done, 10:00:01.210 to 10:00:40.000 (38 s); waited: access propagating 30 s');
    expect(lines[5]).toBe('approval: done, 10:00:46.000 to 10:01:46.000 (1 min); waited: approval 58 s (2×)');
    expect(lines[6]).toBe('dns: done, 10:01:46.000 to 10:02:20.000 (34 s); waited: ARM throttling 3.0 s · DNS retries 28 s');
  });

  it('ticks and durations read well', () => {
    expect(tickStep(140_000)).toBe(50_000);
    expect(tickStep(900)).toBe(200);
    expect(tickStep(0)).toBe(1);
    expect([420, 4_200, 42_000, 192_000, 7_500_000].map(formatDuration)).toEqual(['420 ms', '4.2 s', '42 s', '3 min 12 s', '2 h 5 min']);
  });
});

describe('the fleet page', () => {
  it('counts per state in one table, a sortable table of registries linking to their reports', () => {
    const line = (name: string, state: FleetOverview['registries'][number]['state']) => ({ registryId: `/x/${name}`, name, subscriptionId: 's', resourceGroup: 'rg', location: 'eastus', state, detail: 'why', lastCheckedAt: at(0), reportUrl: `https://app.example/api/registries/s/rg/${name}/report` });
    const html = renderFleetPage(assembleFleetOverview({ generatedAt: at(0), subscriptions: [{ subscriptionId: 's', ok: true, registries: 2 }], registries: [line('one', 'Hardened'), line('two', 'NeverRun')], links: { self: 'https://app.example/api/fleet/report', json: 'https://app.example/api/fleet/report?format=json' } }));
    expectNothingHostile(html);
    expect(html).toContain('<table data-sortable id="registry-table">');
    expect(count(html, /<a data-app-link href="https:\/\/app\.example\/api\/registries\/s\/rg\/[a-z]+\/report">/g)).toBe(2);
    expect(count(html, '<button type="button" class="sort">')).toBe(6);
    expect(html).toMatch(/<td class="n">1<\/td><td class="n zero">0<\/td>/);
    expect(html).toContain('2 registries: 1 hardened, 1 never run');
  });
});

describe('content negotiation', () => {
  const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

  it('HTML for a browser or ?format=html; JSON for curl, scripts, no Accept, or ?format=json', () => {
    expect(reportFormat(BROWSER, undefined)).toBe('html');
    expect(reportFormat('*/*', undefined)).toBe('json');
    expect(reportFormat(undefined, undefined)).toBe('json');
    expect(reportFormat('application/json', undefined)).toBe('json');
    expect(reportFormat('text/html;q=0.5, application/json', undefined)).toBe('json');
    expect(reportFormat('text/html, application/json', undefined)).toBe('json');
    expect(reportFormat('text/html;q=0', undefined)).toBe('json');
    expect(reportFormat('text/*', undefined)).toBe('json');
    expect(reportFormat('application/json', 'html')).toBe('html');
    expect(reportFormat(BROWSER, 'json')).toBe('json');
  });

  it('errors as pages for a browser, as JSON to whoever accepts JSON (the CLI asks for the page with ?format=html)', () => {
    expect(errorFormat(BROWSER, 'html')).toBe('html');
    expect(errorFormat('text/html, application/json;q=0.5', 'html')).toBe('json');
    expect(errorFormat(undefined, 'json')).toBe('json');
  });
});
