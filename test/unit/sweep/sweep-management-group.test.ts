import type { ServiceClient } from '@azure/core-client';
import { createHttpHeaders, type PipelineRequest } from '@azure/core-rest-pipeline';
import { ManagementGroupsAdapter } from '../../../src/azure/management-groups.adapter';
import { errorCodeOf } from '../../../src/shared/errors';
import { assembleReport, mergeSubscriptionIds, parseSweepInput } from '../../../src/sweep/domain/sweep';

const A = '00000000-0000-0000-0000-00000000000a';
const B = '00000000-0000-0000-0000-00000000000b';
const C = '00000000-0000-0000-0000-00000000000c';

describe('subscriptions of a sweep with a management group', () => {
  it('merges the named subscriptions and the group\'s, named first, each once, case-insensitively', () => {
    expect(mergeSubscriptionIds([A, B], [B.toUpperCase(), C, A])).toEqual([A, B, C]);
    expect(mergeSubscriptionIds([], [C, C])).toEqual([C]);
    expect(mergeSubscriptionIds([A])).toEqual([A]);
  });

  it('a management group alone is enough input; a malformed one is refused', () => {
    expect(parseSweepInput({ subscriptionIds: [], managementGroupId: 'mg-ml', mode: 'plan' })).toMatchObject({ subscriptionIds: [], managementGroupId: 'mg-ml' });
    expect(parseSweepInput({ subscriptionIds: [A], mode: 'plan' }).managementGroupId).toBeUndefined();
    expect(() => parseSweepInput({ subscriptionIds: [], mode: 'plan' })).toThrow(/TARGET_SUBSCRIPTION_IDS \(or TARGET_MANAGEMENT_GROUP\)/);
    expect(() => parseSweepInput({ subscriptionIds: [A], managementGroupId: 'a/b', mode: 'plan' })).toThrow(/managementGroupId must be a management group id/);
    expect(() => parseSweepInput({ subscriptionIds: [A], managementGroupId: 'ends.', mode: 'plan' })).toThrow(/managementGroupId/);
  });

  it('a failed management group counts as a failure of the report; without a group the field is absent', () => {
    const base = { mode: 'plan' as const, trigger: 't', startedAt: 's', endedAt: 'e', subscriptions: [{ subscriptionId: A, ok: true, registries: 0 }], registries: [] };
    const failed = assembleReport({ ...base, managementGroups: [{ managementGroupId: 'mg', ok: false, subscriptions: 0, error: { code: 'ARM.NOT_FOUND', message: 'no' } }] });
    expect(failed.failures).toBe(1);
    expect(failed.managementGroups).toHaveLength(1);
    expect(assembleReport(base)).not.toHaveProperty('managementGroups');
  });
});

describe('ManagementGroupsAdapter', () => {
  const ARM = 'https://management.example';
  function client(pages: Record<string, { status: number; body: unknown }>, seen: string[]): ServiceClient {
    return {
      sendRequest: (req: PipelineRequest) => {
        seen.push(req.url);
        const page = pages[req.url] ?? { status: 404, body: { error: { code: 'NotFound', message: 'nope' } } };
        return Promise.resolve({ request: req, status: page.status, headers: createHttpHeaders(), bodyAsText: JSON.stringify(page.body) });
      },
    } as unknown as ServiceClient;
  }
  const first = `${ARM}/providers/Microsoft.Management/managementGroups/mg/descendants?api-version=2020-05-01`;
  const second = `${ARM}/providers/Microsoft.Management/managementGroups/mg/descendants?api-version=2020-05-01&$skiptoken=2`;

  it('follows nextLink, keeps only subscriptions (name = id), each once', async () => {
    const seen: string[] = [];
    const adapter = new ManagementGroupsAdapter(client({
      [first]: { status: 200, body: { value: [{ type: 'Microsoft.Management/managementGroups/subscriptions', name: A.toUpperCase() }, { type: 'Microsoft.Management/managementGroups', name: 'child' }], nextLink: second } },
      [second]: { status: 200, body: { value: [{ type: 'Microsoft.Management/managementGroups/subscriptions', name: B }, { type: 'Microsoft.Management/managementGroups/subscriptions', name: A }], nextLink: null } },
    }, seen), `${ARM}/`);
    expect(await adapter.listSubscriptions('mg')).toEqual([A, B]);
    expect(seen).toEqual([first, second]);
  });

  it('a 403 / 404 is a coded error naming ARM\'s code; a bad id or a foreign nextLink is refused', async () => {
    const adapter = new ManagementGroupsAdapter(client({ [first]: { status: 403, body: { error: { code: 'AuthorizationFailed', message: 'no access' } } } }, []), ARM);
    await expect(adapter.listSubscriptions('mg')).rejects.toThrow(/403 AuthorizationFailed/);
    expect(errorCodeOf(await adapter.listSubscriptions('mg').catch((e: unknown) => e))).toBe('ARM.FORBIDDEN');
    expect(errorCodeOf(await new ManagementGroupsAdapter(client({}, []), ARM).listSubscriptions('mg').catch((e: unknown) => e))).toBe('ARM.NOT_FOUND');
    expect(errorCodeOf(await adapter.listSubscriptions('a/b').catch((e: unknown) => e))).toBe('ARM_ID.INVALID');
    const foreign = new ManagementGroupsAdapter(client({ [first]: { status: 200, body: { value: [], nextLink: 'https://evil.example/next' } } }, []), ARM);
    await expect(foreign.listSubscriptions('mg')).rejects.toThrow(/outside ARM/);
  });
});
