import { decideOnEvent } from '../../../src/hardening/domain/registry-event';

const SUB = '0b1f6471-1bf0-4dda-aec3-cb9272f09590';
const REG = `/subscriptions/${SUB}/resourcegroups/rg-ml/providers/Microsoft.MachineLearningServices/registries/demoreg`;
const data = (over: Record<string, unknown> = {}) => ({
  operationName: 'Microsoft.MachineLearningServices/registries/write', status: 'Succeeded', resourceUri: REG,
  resourceProvider: 'Microsoft.MachineLearningServices', subscriptionId: SUB, ...over,
});
const egEvent = (over: Record<string, unknown> = {}) => ({
  id: 'e1', topic: `/subscriptions/${SUB}`, subject: REG, eventType: 'Microsoft.Resources.ResourceWriteSuccess',
  eventTime: '2026-11-28T10:00:00Z', dataVersion: '2', metadataVersion: '1', data: data(), ...over,
});
const cloudEvent = (over: Record<string, unknown> = {}) => ({
  specversion: '1.0', id: 'c1', source: `/subscriptions/${SUB}`, subject: REG, type: 'Microsoft.Resources.ResourceWriteSuccess',
  time: '2026-11-28T10:00:01Z', data: data(), ...over,
});

describe('decideOnEvent', () => {
  it('hardens on a registry write in Event Grid schema', () => {
    expect(decideOnEvent(egEvent())).toEqual({ kind: 'harden', registryId: REG, subscriptionId: SUB, eventId: 'e1', eventTime: '2026-11-28T10:00:00Z' });
  });

  it('hardens on the same write as a CloudEvent, any casing of the operation', () => {
    const d = decideOnEvent(cloudEvent({ data: data({ operationName: 'microsoft.machinelearningservices/REGISTRIES/write' }) }));
    expect(d).toMatchObject({ kind: 'harden', registryId: REG, eventTime: '2026-11-28T10:00:01Z' });
  });

  it.each([
    ['another event type', egEvent({ eventType: 'Microsoft.Resources.ResourceDeleteSuccess' }), 'event type'],
    ['another operation', egEvent({ data: data({ operationName: 'Microsoft.Storage/storageAccounts/write' }) }), 'operation'],
    ['a failed status', egEvent({ data: data({ status: 'Failed' }) }), 'status'],
    ['a sub-resource of a registry', egEvent({ subject: `${REG}/privateEndpointConnections/x` }), 'not a registry'],
    ["a registry of another subscription than the topic's", egEvent({ topic: '/subscriptions/aaaaaaaa-1111-2222-3333-444444444444' }), "not in the subscription of the event's topic"],
    ['the same as a CloudEvent', cloudEvent({ source: '/subscriptions/aaaaaaaa-1111-2222-3333-444444444444' }), "not in the subscription of the event's topic"],
    ['a resource group topic', egEvent({ topic: `/subscriptions/${SUB}/resourceGroups/rg-ml` }), "is not a subscription's system topic"],
    ['a custom topic', egEvent({ topic: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.EventGrid/topics/forged` }), "is not a subscription's system topic"],
  ])('ignores %s', (_what, event, reason) => {
    const d = decideOnEvent(event);
    expect(d.kind).toBe('ignore');
    expect(d.kind === 'ignore' && d.reason).toContain(reason);
  });

  it.each([
    ['a string', 'hello', 'not a JSON object'],
    ['no type', { id: 'x', data: {} }, 'eventType'],
    ['no id', { eventType: 'Microsoft.Resources.ResourceWriteSuccess', data: data() }, 'id'],
    ['no data', egEvent({ data: undefined }), 'data'],
    ['a bad registry name', egEvent({ subject: REG.replace('demoreg', '-x') }), 'registry name'],
    ['no topic', egEvent({ topic: undefined }), 'missing topic'],
    ['a CloudEvent without source', cloudEvent({ source: undefined }), 'missing source'],
  ])('rejects %s as malformed', (_what, event, reason) => {
    const d = decideOnEvent(event);
    expect(d.kind).toBe('malformed');
    expect(d.kind === 'malformed' && d.reason).toContain(reason);
  });

  describe("the app's own writes", () => {
    const APP = '7c1e9a52-3f4b-4d8e-9a61-2b5c0d8e7f13';
    const OID = 'http://schemas.microsoft.com/identity/claims/objectidentifier';
    const byCaller = (claims: Record<string, string>) => egEvent({ data: data({ claims: { aud: 'https://management.azure.com', appid: 'a-1', ...claims } }) });

    it('ignores a registry write whose caller (ARM\'s object id claim) is the app, whatever the casing', () => {
      const d = decideOnEvent(byCaller({ [OID]: APP.toUpperCase() }), { appPrincipalId: APP });
      expect(d.kind).toBe('ignore');
      expect(d.kind === 'ignore' && d.reason).toContain('written by the app itself');
      expect(d.kind === 'ignore' && d.reason).toContain(REG);
    });

    it('also reads a short oid claim, and the CloudEvents schema', () => {
      expect(decideOnEvent(cloudEvent({ data: data({ claims: { oid: APP } }) }), { appPrincipalId: APP }).kind).toBe('ignore');
    });

    it('hardens on a write by another principal (a user), and when the app\'s id is not configured', () => {
      expect(decideOnEvent(byCaller({ [OID]: '00000000-0000-0000-0000-00000000d001' }), { appPrincipalId: APP })).toMatchObject({ kind: 'harden', registryId: REG });
      expect(decideOnEvent(byCaller({ [OID]: APP })).kind).toBe('harden');
      expect(decideOnEvent(byCaller({ [OID]: APP }), { appPrincipalId: undefined }).kind).toBe('harden');
    });

    it('hardens when the claims name no caller, or are not an object', () => {
      expect(decideOnEvent(byCaller({ appid: APP }), { appPrincipalId: APP }).kind).toBe('harden');
      expect(decideOnEvent(egEvent({ data: data({ claims: 'x' }) }), { appPrincipalId: APP }).kind).toBe('harden');
    });

    it('a malformed event stays malformed, whoever wrote it', () => {
      expect(decideOnEvent(egEvent({ id: undefined, data: data({ claims: { [OID]: APP } }) }), { appPrincipalId: APP }).kind).toBe('malformed');
    });
  });
  describe('the writer as the run\'s caller (the audit trail)', () => {
    const OID = 'http://schemas.microsoft.com/identity/claims/objectidentifier';
    const UPN = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn';
    const USER = '00000000-0000-0000-0000-00000000D001';
    const CLI = '04b07795-8ddb-461a-bbee-02f9e1bf7b46';
    const withClaims = (claims: unknown) => decideOnEvent(egEvent({ data: data({ claims }) }));

    it('a user: object id (lower case), UPN and client app id from ARM\'s claim types; no app role of this API', () => {
      expect(withClaims({ [OID]: USER, [UPN]: 'dana@contoso.example', appid: CLI, idtyp: 'user', name: 'Dana' })).toMatchObject({
        kind: 'harden', caller: { kind: 'user', objectId: USER.toLowerCase(), upn: 'dana@contoso.example', appId: CLI, roles: [] },
      });
      // the JWT's short names too
      expect(withClaims({ oid: USER, upn: 'dana@contoso.example' })).toMatchObject({ caller: { kind: 'user', upn: 'dana@contoso.example' } });
    });

    it('an app (a service principal or managed identity): no UPN, its own client id', () => {
      const d = withClaims({ [OID]: USER, appid: CLI, idtyp: 'app' });
      expect(d).toMatchObject({ kind: 'harden', caller: { kind: 'app', objectId: USER.toLowerCase(), appId: CLI, roles: [] } });
      expect(d.kind === 'harden' && d.caller && 'upn' in d.caller).toBe(false);
      expect(withClaims({ [OID]: USER, azp: CLI })).toMatchObject({ caller: { kind: 'app', appId: CLI } });
    });

    it('a claim that is not what it must be is left out; without a GUID object id there is no caller, and the run still starts', () => {
      const odd = withClaims({ [OID]: USER, [UPN]: `eve@contoso.example\nforged line\u001b[31m${'x'.repeat(400)}`, appid: 'not-a-guid' });
      expect(odd.kind === 'harden' && odd.caller).toMatchObject({ kind: 'user', objectId: USER.toLowerCase() });
      const upn = odd.kind === 'harden' ? (odd.caller?.upn ?? '') : '';
      expect(upn.length).toBeLessThanOrEqual(256);
      expect([...upn].filter((c) => c.charCodeAt(0) < 0x20)).toEqual([]);
      expect(odd.kind === 'harden' && odd.caller && 'appId' in odd.caller).toBe(false);
      for (const claims of [{ [OID]: 'someone' }, { [UPN]: 'dana@contoso.example' }, 'x', undefined]) {
        const d = withClaims(claims);
        expect(d.kind).toBe('harden');
        expect(d.kind === 'harden' && 'caller' in d).toBe(false);
      }
    });
  });
});
