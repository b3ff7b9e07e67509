/**
 * The report pages in a real browser: Debian's chromium (installed by .ci/run), driven by
 * playwright-core, against the sandbox world. The demo registry's report renders with one SVG
 * bar per step, without a console error, a failed request or any request but the page itself;
 * the fleet page lists the world's registries, sorts, and links to their reports. A screenshot
 * (PNG) and a print (PDF) of each land in .artifacts/report/ (git-ignored).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ROOT } from '../../../local/world';
import { reportPathOf, startReportWorld, type ReportWorld } from './report-world';

const CHROMIUM = spawnSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' }).stdout.trim().split('\n')[0] ?? '';
const HAS_PLAYWRIGHT = ((): boolean => {
  try {
    require.resolve('playwright-core');
    return true;
  } catch {
    return false;
  }
})();
const SKIP = CHROMIUM === '' ? "chromium is not installed; .ci/run installs Debian's chromium" : !HAS_PLAYWRIGHT ? 'playwright-core is not installed (npm ci installs the dev dependencies)' : '';
const ARTIFACTS = join(ROOT, '.artifacts', 'report');

/** What a page did: console errors, page errors, failed requests, every request it made. */
interface Watch {
  errors: string[];
  failed: string[];
  requests: string[];
}

function watch(page: Page): Watch {
  const w: Watch = { errors: [], failed: [], requests: [] };
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') w.errors.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => w.errors.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => w.failed.push(`${r.url()}: ${r.failure()?.errorText ?? ''}`));
  page.on('request', (r) => w.requests.push(r.url()));
  page.on('response', (r) => {
    if (r.status() >= 400) w.failed.push(`${r.url()}: HTTP ${r.status()}`);
  });
  return w;
}

(SKIP === '' ? describe : describe.skip)(`the report pages in headless Chromium${SKIP === '' ? '' : ` (skipped: ${SKIP})`}`, () => {
  let w: ReportWorld;
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    w = await startReportWorld('report-browser-');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { chromium } = require('playwright-core') as typeof import('playwright-core');
    // as root (CI) Chromium's sandbox cannot start: the pages are ours and local
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await w?.world.stop();
  });

  it("the demo registry's report: one SVG bar per step, its title and description, no console error, no failed request, nothing loaded but the page", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, extraHTTPHeaders: w.world.auth.headers('reader') });
    const page = await context.newPage();
    const seen = watch(page);
    const url = `${w.world.host.baseUrl}${reportPathOf('demoreg')}`;
    const response = await page.goto(url, { waitUntil: 'load' });
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-type']).toBe('text/html; charset=utf-8');

    expect(await page.title()).toBe('Isolation report: demoreg');
    expect(await page.locator('h1').textContent()).toBe('demoreg');
    expect(await page.locator('header .badge').textContent()).toContain('Hardened');
    // one bar per step of the last run, each with its own title
    const bars = page.locator('svg.timeline rect.step-bar[data-step]');
    expect(await bars.count()).toBe(8);
    expect(await page.locator('svg.timeline rect.step-bar[data-step] > title').count()).toBe(8);
    expect((await bars.evaluateAll((els) => els.map((e) => e.getAttribute('data-step')))).sort()).toEqual(['approval', 'dns', 'endpoints', 'lockdown', 'plan', 'publish', 'read', 'resolve']);
    // drawn, not empty: every bar has a width on the screen
    for (const box of await bars.evaluateAll((els) => els.map((e) => e.getBoundingClientRect().width))) expect(box).toBeGreaterThan(0);
    expect(await page.locator('svg.timeline').getAttribute('role')).toBe('img');
    expect(await page.locator('svg.timeline > title').textContent()).toMatch(/^Timeline of run harden-demoreg-[0-9a-f]{16}-\d{8}T\d{9}Z-[0-9a-f]{4} \(apply\), Completed/);
    expect(await page.locator('svg.timeline > desc').textContent()).toContain('8 steps, one bar each');
    // tables with headers, the endpoints as ARM has them
    expect(await page.locator('#endpoints tbody tr').count()).toBe(4);
    expect(await page.locator('#public-access tbody tr').count()).toBe(4);
    expect(await page.locator('#public-access .ok').count()).toBe(4);
    expect(await page.locator('#dns tbody tr').count()).toBeGreaterThanOrEqual(8);
    expect(await page.locator('#dns tbody .bad').count()).toBe(0);
    expect(await page.locator('table th[scope="col"]').count()).toBeGreaterThan(20);

    // sorting (the page's one script) works under the page's CSP
    await page.locator('#endpoints th button.sort', { hasText: 'Endpoint' }).click();
    expect(await page.locator('#endpoints th').first().getAttribute('aria-sort')).toBe('ascending');
    const names = await page.locator('#endpoints tbody tr td:first-child').allTextContents();
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b, undefined, { numeric: true, sensitivity: 'base' })));

    await page.screenshot({ path: join(ARTIFACTS, 'demoreg-report.png'), fullPage: true });
    await page.pdf({ path: join(ARTIFACTS, 'demoreg-report.pdf'), format: 'A4', printBackground: false });
    await page.emulateMedia({ media: 'print' });
    await page.screenshot({ path: join(ARTIFACTS, 'demoreg-report-print.png'), fullPage: true });
    expect(readFileSync(join(ARTIFACTS, 'demoreg-report.pdf')).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(statSync(join(ARTIFACTS, 'demoreg-report.png')).size).toBeGreaterThan(50_000);

    expect(seen.errors).toEqual([]);
    expect(seen.failed).toEqual([]);
    expect(seen.requests).toEqual([url]);
    await context.close();
  });

  it("the fleet page lists the world's registries with their states, sorts, and links to each report (the reader's token sent with each request, never written into the page)", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, extraHTTPHeaders: w.world.auth.headers('reader') });
    const page = await context.newPage();
    const seen = watch(page);
    const url = `${w.world.host.baseUrl}/api/fleet/report`;
    expect((await page.goto(url, { waitUntil: 'load' }))?.status()).toBe(200);
    expect(await page.locator('h1').textContent()).toBe('Fleet overview');
    const rows = page.locator('#registry-table tbody tr');
    expect(await rows.count()).toBe(4);
    expect(await page.locator('#registry-table tbody tr td:first-child a').allTextContents()).toEqual(['demoreg', 'driftreg', 'exemptreg', 'quietreg']);
    expect(await page.locator('#registry-table tbody tr td:nth-child(2)').allTextContents()).toEqual(['✔ Hardened', '⚠ Drifted', '○ Exempt', '· Never run']);
    expect(await page.locator('table.counts td.n').allTextContents()).toEqual(['1', '1', '0', '1', '1', '0']);
    expect(await page.content()).not.toContain(w.world.auth.tokens.reader);

    await page.screenshot({ path: join(ARTIFACTS, 'fleet-report.png'), fullPage: true });
    await page.pdf({ path: join(ARTIFACTS, 'fleet-report.pdf'), format: 'A4', printBackground: false });

    // sort by state, descending: Never run first
    const state = page.locator('#registry-table th button.sort', { hasText: 'State' });
    await state.click();
    await state.click();
    expect(await page.locator('#registry-table th:nth-child(2)').getAttribute('aria-sort')).toBe('descending');
    expect(await page.locator('#registry-table tbody tr td:first-child a').allTextContents()).toEqual(['quietreg', 'exemptreg', 'driftreg', 'demoreg']);

    // a registry's link opens its report
    await Promise.all([page.waitForURL(/\/registries\/.+\/driftreg\/report/), page.locator('#registry-table a', { hasText: 'driftreg' }).click()]);
    expect(await page.locator('h1').textContent()).toBe('driftreg');
    expect(await page.locator('header .badge').textContent()).toContain('Drifted');

    expect(seen.errors).toEqual([]);
    expect(seen.failed).toEqual([]);
    expect(seen.requests.map((r) => new URL(r).pathname)).toEqual(['/api/fleet/report', reportPathOf('driftreg')]);
    await context.close();
  });
});
