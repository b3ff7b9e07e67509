import { HttpRequest } from '@azure/functions';
import { parseRequest } from '../../../src/http/request';
import { MAX_BODY_BYTES, Routes } from '../../../src/http/routes';
import { hardenOverridesBody, runsQuery } from '../../../src/http/schemas';
import { ErrorCodes } from '../../../src/shared/error-codes';
import { AUTH_ON, principalHeaders } from '../../helpers/principal';

const SUB = '0b1f6471-1bf0-4dda-aec3-cb9272f09590';
const CTX = { cloud: 'AzurePublicCloud' as const, auth: AUTH_ON };
const GOV = { cloud: 'AzureUSGovernment' as const, auth: AUTH_ON };
const BASE = 'http://127.0.0.1:7071/api';

/** A request of a caller with every role (these tests are about validation; test/unit/http/http-auth.test.ts is about roles). */
function req(init: { method?: string; url?: string; params?: Record<string, string>; body?: string; headers?: Record<string, string> }): HttpRequest {
  return new HttpRequest({
    method: init.method ?? 'GET',
    url: init.url ?? `${BASE}/x`,
    params: init.params ?? {},
    headers: { ...principalHeaders('networkAdmin'), ...(init.headers ?? {}) },
    ...(init.body !== undefined ? { body: { string: init.body } } : {}),
  });
}

async function errorOf(p: Promise<{ ok: boolean; response?: { status?: number; jsonBody?: unknown } }>): Promise<{ status: number | undefined; code: string; message: string }> {
  const r = await p;
  if (r.ok) throw new Error('the request was accepted');
  const body = r.response?.jsonBody as { error: { code: string; message: string } };
  return { status: r.response?.status, code: body.error.code, message: body.error.message };
}

const harden = { subscriptionId: SUB, resourceGroup: 'rg-ml', registryName: 'demoreg' };

describe('request validation: discovery parameters', () => {
  it('accepts a known region and a registry name', async () => {
    const r = await parseRequest(Routes.getDiscovery, req({ params: { region: 'westeurope', registryName: 'demoreg' } }), CTX);
    expect(r.ok && r.value.params).toEqual({ region: 'westeurope', registryName: 'demoreg' });
  });

  it.each([
    ['eastus.evil.example'], ['127.0.0.1:1234'], ['eastus/../x'], [''], ['x'.repeat(200)], ['EastUS'], ['West Europe'], ['usgovvirginia'],
    ['eastus@evil.example'], ['eastus#'], ['eastus?x=1'], ['eastus\r\nHost: evil'], ['wеsteurope' /* Cyrillic е */],
  ])('refuses region %j with 400 REQUEST.INVALID_PARAMETER, without echoing it', async (region) => {
    const e = await errorOf(parseRequest(Routes.getDiscovery, req({ params: { region, registryName: 'demoreg' } }), CTX));
    expect(e).toMatchObject({ status: 400, code: ErrorCodes.REQUEST_INVALID_PARAMETER });
    expect(e.message).toContain("'region'");
    if (region.length > 3) expect(e.message).not.toContain(region);
  });

  it('checks the region against the configured cloud', async () => {
    const gov = await parseRequest(Routes.getDiscovery, req({ params: { region: 'usgovvirginia', registryName: 'demoreg' } }), GOV);
    expect(gov.ok).toBe(true);
    const e = await errorOf(parseRequest(Routes.getDiscovery, req({ params: { region: 'westeurope', registryName: 'demoreg' } }), GOV));
    expect(e.message).toContain('AzureUSGovernment region');
  });

  it.each([['ab'], ['-demo'], ['demo.reg'], ['demo/../x'], ['a'.repeat(40)], ['']])('refuses registry name %j', async (registryName) => {
    const e = await errorOf(parseRequest(Routes.getDiscovery, req({ params: { region: 'westeurope', registryName } }), CTX));
    expect(e).toMatchObject({ status: 400, code: ErrorCodes.REQUEST_INVALID_PARAMETER });
    expect(e.message).toContain("'registryName'");
  });
});

describe('request validation: registry ids', () => {
  it.each([
    [{ subscriptionId: 'not-a-guid' }, 'subscriptionId'],
    [{ subscriptionId: `${SUB}0` }, 'subscriptionId'],
    [{ resourceGroup: 'rg.' }, 'resourceGroup'],
    [{ resourceGroup: 'r'.repeat(91) }, 'resourceGroup'],
    [{ resourceGroup: 'rg/../x' }, 'resourceGroup'],
    [{ registryName: 'x' }, 'registryName'],
  ])('refuses %j', async (bad, field) => {
    const e = await errorOf(parseRequest(Routes.getHardeningStatus, req({ params: { ...harden, ...bad } }), CTX));
    expect(e).toMatchObject({ status: 400, code: ErrorCodes.REQUEST_INVALID_PARAMETER });
    expect(e.message).toContain(`'${field}'`);
  });

  it('accepts resource group names with dots, dashes, underscores and parentheses', async () => {
    const r = await parseRequest(Routes.getHardeningStatus, req({ params: { ...harden, resourceGroup: 'rg_ml-(prod).eu' } }), CTX);
    expect(r.ok).toBe(true);
  });
});

describe('request validation: start body and query', () => {
  const post = (body: string | undefined, headers: Record<string, string> = { 'content-type': 'application/json' }, url = `${BASE}/registries/${SUB}/rg-ml/demoreg/harden`) =>
    req({ method: 'POST', url, params: harden, headers, ...(body !== undefined ? { body } : {}) });

  it('takes no body, an empty object, or valid overrides', async () => {
    for (const body of [undefined, '', '{}', '{"order":"endpoints-first","lockdownAcr":false}']) {
      const r = await parseRequest(Routes.startHardening, post(body), CTX);
      expect(r.ok).toBe(true);
    }
    const r = await parseRequest(Routes.startHardening, post('{"order":"endpoints-first","lockdownAcr":false}', undefined, `${BASE}/x?mode=plan&code=abc`), CTX);
    expect(r.ok && r.value).toMatchObject({ query: { mode: 'plan' }, body: { order: 'endpoints-first', lockdownAcr: false } });
  });

  it('refuses bad JSON (400), unknown fields (400), wrong types (400), non-JSON (415), oversize (413), a bad mode (400)', async () => {
    expect(await errorOf(parseRequest(Routes.startHardening, post('{"order":'), CTX))).toMatchObject({ status: 400, code: ErrorCodes.REQUEST_INVALID_JSON });
    const unknown = await errorOf(parseRequest(Routes.startHardening, post('{"order":"lockdown-first","subnetId":"/x"}'), CTX));
    expect(unknown).toMatchObject({ status: 400, code: ErrorCodes.REQUEST_UNKNOWN_FIELD });
    expect(unknown.message).toContain('subnetId');
    expect(await errorOf(parseRequest(Routes.startHardening, post('{"lockdownAcr":"no"}'), CTX))).toMatchObject({ status: 400, code: ErrorCodes.REQUEST_INVALID_BODY });
    expect(await errorOf(parseRequest(Routes.startHardening, post('[1]'), CTX))).toMatchObject({ status: 400, code: ErrorCodes.REQUEST_INVALID_BODY });
    expect(await errorOf(parseRequest(Routes.startHardening, post('order=x', { 'content-type': 'application/x-www-form-urlencoded' }), CTX))).toMatchObject({ status: 415, code: ErrorCodes.REQUEST_UNSUPPORTED_MEDIA_TYPE });
    expect(await errorOf(parseRequest(Routes.startHardening, post(`{"order":"${'x'.repeat(MAX_BODY_BYTES)}"}`), CTX))).toMatchObject({ status: 413, code: ErrorCodes.REQUEST_BODY_TOO_LARGE });
    expect(await errorOf(parseRequest(Routes.startHardening, post(undefined, undefined, `${BASE}/x?mode=yolo`), CTX))).toMatchObject({ status: 400, code: ErrorCodes.REQUEST_INVALID_PARAMETER });
  });

  it('refuses a body on routes that take none', async () => {
    const r = req({ method: 'POST', params: harden, headers: { 'content-type': 'application/json' }, body: '{"x":1}' });
    expect(await errorOf(parseRequest(Routes.approveHardening, r, CTX))).toMatchObject({ status: 400, code: ErrorCodes.REQUEST_BODY_NOT_ALLOWED });
  });

  it('the overrides schema is strict', () => {
    expect(hardenOverridesBody.safeParse({ order: 'lockdown-first' }).success).toBe(true);
    expect(hardenOverridesBody.safeParse({ order: 'sideways' }).success).toBe(false);
    expect(hardenOverridesBody.safeParse({ dnsDeadlineMinutes: 0 }).success).toBe(false);
    expect(hardenOverridesBody.safeParse({ extra: true }).success).toBe(false);
  });
});

describe('request validation: runs query', () => {
  it.each([
    [{}, true], [{ status: 'Running' }, true], [{ status: 'Running,Completed' }, true], [{ top: '1' }, true], [{ top: '100' }, true],
    [{ status: 'running' }, false], [{ status: 'Running,' }, false], [{ status: 'Bogus' }, false],
    [{ top: '0' }, false], [{ top: '101' }, false], [{ top: 'ten' }, false], [{ top: '1.5' }, false],
    [{ continuationToken: 'abc_-' }, true], [{ continuationToken: 'a/b' }, false], [{ continuationToken: 'a'.repeat(513) }, false],
  ])('%j → valid %s', (query, valid) => {
    expect(runsQuery.safeParse(query).success).toBe(valid);
  });
});
