import {
  approvalDeadlineError,
  approvalRejectedError,
  BROKEN_CONNECTION_STATUSES,
  connectionsOfPlan,
  connectionsToAwait,
  describeAllApproved,
  endpointNames,
  recordConnectionAnswers,
  WAITING_CONNECTION_STATUSES,
} from '../../../src/hardening/domain/approval';
import { describeDnsAttempt, describeDnsProven, dnsProofFailedError } from '../../../src/hardening/domain/dns-expectations';
import { codedFailure, codedText, errorMessageOf, LockdownError, MAX_ERROR_MESSAGE } from '../../../src/shared/errors';
import type { DiscoveryCheck, DnsCheck, TargetState } from '../../../src/hardening/domain/hardening';
import { emptyApplied, outcomeArgsOf } from '../../../src/hardening/domain/outcome';
import { planHardening } from '../../../src/hardening/domain/plan';
import {
  describeEndpointsCreating,
  describeEndpointsDone,
  describeEndpointsPresent,
  describeLockdownDone,
  describeLockdownPresent,
  describePlan,
  describeReading,
  describeResolved,
  endpointWork,
} from '../../../src/hardening/domain/step-details';
import { endpoint, freshStates, PLACEMENT, readyReading, REGISTRY_ID, TARGETS } from '../../helpers/hardening-fixtures';

type Ready = Extract<ReturnType<typeof readyReading>, { status: 'ready' }>;
const ready = (overrides: Partial<Ready> = {}): Ready => readyReading(overrides) as Ready;

describe('codedFailure (orchestrator and CLI failures)', () => {
  it('keeps the code and drops it from the message', () => {
    expect(codedFailure(new LockdownError('ARM.FORBIDDEN', 'no write permission'))).toEqual({ code: 'ARM.FORBIDDEN', message: 'no write permission' });
  });

  it('finds the code behind a prefix added on the way and drops the stack', () => {
    const error = new Error('Activity failed: Error: [ARM.THROTTLED] too many requests\n    at call (x.js:1:1)');
    expect(codedText(error)).toEqual({ code: 'ARM.THROTTLED', text: '[ARM.THROTTLED] too many requests' });
    expect(codedFailure(error)).toEqual({ code: 'ARM.THROTTLED', message: 'too many requests' });
  });

  it('marks an error without a code as unexpected', () => {
    expect(codedText(new Error('boom'))).toEqual({ code: 'HARDEN.UNEXPECTED', text: '[HARDEN.UNEXPECTED] boom' });
    expect(codedFailure('plain text')).toEqual({ code: 'HARDEN.UNEXPECTED', message: 'plain text' });
    expect(codedFailure({ odd: 1 })).toEqual({ code: 'HARDEN.UNEXPECTED', message: '{"odd":1}' });
  });

  it('cuts long messages', () => {
    expect(codedFailure(new Error('x'.repeat(MAX_ERROR_MESSAGE + 10))).message).toHaveLength(MAX_ERROR_MESSAGE);
    expect(codedFailure(new Error('abcdef'), 3).message).toBe('abc');
  });

  it('reads the message of anything thrown', () => {
    expect(errorMessageOf(new Error('e'))).toBe('e');
    expect(errorMessageOf('s')).toBe('s');
    expect(errorMessageOf(42)).toBe('42');
  });
});

describe('approval rules', () => {
  const plan = planHardening({ registryId: REGISTRY_ID, states: freshStates(), placement: PLACEMENT, lockdownAcr: true });
  const [first, second] = plan.endpoints as [(typeof plan.endpoints)[0], (typeof plan.endpoints)[0]];

  it('waits for Pending and Unknown, gives up on Rejected and Disconnected', () => {
    expect([...WAITING_CONNECTION_STATUSES].sort()).toEqual(['Pending', 'Unknown']);
    expect([...BROKEN_CONNECTION_STATUSES].sort()).toEqual(['Disconnected', 'Rejected']);
    expect(WAITING_CONNECTION_STATUSES.has('Approved') || BROKEN_CONNECTION_STATUSES.has('Approved')).toBe(false);
  });

  it('says which connection was rejected, why, and how to start over', () => {
    const e = approvalRejectedError(first, 'Rejected', 'not allowed here', 'run again');
    expect(e.code).toBe('HARDEN.APPROVAL_REJECTED');
    expect(e.detail).toMatch(new RegExp(`^the connection of private endpoint '${first.name}' to .* is Rejected: not allowed here\\. Approve it`));
    expect(e.detail.endsWith('then run again.')).toBe(true);
    expect(approvalRejectedError(first, 'Disconnected', undefined, 'start the run again').detail).toMatch(/is Disconnected\. Approve it.*then start the run again\.$/);
  });

  it('tracks the connections: waits for unknown ones, records answers, stops at a rejection', () => {
    const book = connectionsOfPlan(plan);
    expect(book.size).toBe(0); // every endpoint is still to be created
    expect(connectionsToAwait(plan, book, 'run again')).toEqual(plan.endpoints);
    book.set(first.endpointId.toLowerCase(), 'Approved');
    const waiting = connectionsToAwait(plan, book, 'run again');
    expect(waiting).not.toContain(first);
    const approved: string[] = [];
    const still = recordConnectionAnswers([second, ...waiting.slice(1, 2)], [{ connectionStatus: 'Approved' }, { connectionStatus: 'Pending' }], book, approved, 'run again');
    expect(approved).toEqual([second.endpointId]);
    expect(still).toHaveLength(1);
    expect(book.get(second.endpointId.toLowerCase())).toBe('Approved');
    expect(() => recordConnectionAnswers([second], [{ connectionStatus: 'Rejected', connectionDescription: 'no' }], book, approved, 'run again')).toThrow(/APPROVAL_REJECTED.*is Rejected: no/);
    book.set(first.endpointId.toLowerCase(), 'Disconnected');
    expect(() => connectionsToAwait(plan, book, 'run again')).toThrow(/is Disconnected\. Approve/);
  });

  it('names the connections still waiting at the deadline', () => {
    const e = approvalDeadlineError([first, second], 30, 'run again');
    expect(e.code).toBe('HARDEN.APPROVAL_DEADLINE');
    expect(e.detail).toBe(`the connection(s) of ${endpointNames([first, second])} are still not approved after 30 minute(s); approve them on the target resources and run again.`);
    expect(endpointNames([first, second])).toBe(`'${first.name}', '${second.name}'`);
    expect(describeAllApproved(plan)).toBe(`all ${plan.endpoints.length} connection(s) Approved`);
  });
});

describe('DNS proof texts', () => {
  const check = (ok: boolean): DnsCheck => ({ fqdn: 'reg1.api.azureml.ms', expectedIp: '10.0.0.4', endpointId: 'pe', kind: 'registry', ok, answered: ok ? ['10.0.0.4'] : ['20.1.1.1'], chain: [] });
  const discovery: DiscoveryCheck = { ok: true, regions: ['eastus'], missingRegions: ['westeurope'] };

  it('counts the names not private yet and the regions discovery misses', () => {
    expect(describeDnsAttempt(2, [check(true), check(false)], discovery)).toBe('attempt 2: 1 of 2 name(s) not private yet, discovery misses westeurope');
    expect(describeDnsAttempt(1, [check(false)], { ...discovery, missingRegions: [] })).toBe('attempt 1: 1 of 1 name(s) not private yet');
  });

  it('fails with the attempts, the deadline and every problem', () => {
    const e = dnsProofFailedError(3, 15, [check(false)], discovery);
    expect(e.code).toBe('HARDEN.DNS_PROOF_FAILED');
    expect(e.detail).toMatch(/^DNS proof failed after 3 attempt\(s\) in 15 minute\(s\): check the private DNS zone links/);
    expect(e.detail.split('\n')).toHaveLength(3);
  });

  it('describes a proof that holds', () => {
    expect(describeDnsProven([check(true)], { ok: true, regions: ['eastus', 'westeurope'], missingRegions: [] })).toBe('1 name(s) resolve to their private IPs; discovery covers eastus, westeurope');
    expect(describeDnsProven([], undefined)).toBe('0 name(s) resolve to their private IPs; discovery covers every region');
  });
});

describe('step details', () => {
  it('describes the reading and the resolved resources', () => {
    expect(describeReading(ready())).toBe('reg1: 2 region(s) (eastus, westeurope)');
    expect(describeReading(ready({ exempt: true }))).toBe('reg1: 2 region(s) (eastus, westeurope), exempt');
    expect(describeResolved(ready())).toBe('registry, 2 storage account(s), 1 container registry (resolved by properties)');
  });

  it('describes the plan and the endpoint work', () => {
    const plan = planHardening({ registryId: REGISTRY_ID, states: freshStates(), placement: PLACEMENT, lockdownAcr: true });
    const { toCreate, zoneGroups } = endpointWork(plan);
    const disables = plan.publicAccess.filter((p) => p.action === 'disable').length;
    expect(describePlan(plan)).toBe(`${plan.writes} write(s): ${toCreate.length} endpoint(s), ${zoneGroups.length} zone group(s), ${disables} public-access change(s)`);
    expect(describeEndpointsPresent(plan)).toBe(`all ${plan.endpoints.length} private endpoint(s) and their zone groups exist`);
    expect(describeEndpointsCreating(plan)).toBe(`creating ${toCreate.length} private endpoint(s), then ${zoneGroups.length} zone group(s)`);
    expect(describeEndpointsDone(plan)).toBe(`${toCreate.length} created, ${plan.endpoints.length - toCreate.length} kept; ${zoneGroups.length} zone group(s) ensured`);
  });

  it('describes the lockdown, with what the plan leaves public', () => {
    const states: TargetState[] = freshStates();
    states[0] = { target: TARGETS[0] as TargetState['target'], publicNetworkAccess: 'Disabled', endpoints: [endpoint(TARGETS[0] as TargetState['target'], 'pe-reg1-amlregistry-eastus')] };
    const withAcr = planHardening({ registryId: REGISTRY_ID, states, placement: PLACEMENT, lockdownAcr: true });
    const toDisable = withAcr.publicAccess.filter((p) => p.action === 'disable').length;
    expect(describeLockdownDone(withAcr, 1)).toBe(`1 disabled, ${toDisable - 1} already Disabled`);
    const withoutAcr = planHardening({ registryId: REGISTRY_ID, states, placement: PLACEMENT, lockdownAcr: false });
    expect(describeLockdownPresent(withoutAcr)).toMatch(/^public network access already Disabled; left public: .*crreg1.* \(.+\)$/);
  });
});

describe('outcomeArgsOf', () => {
  const plan = planHardening({ registryId: REGISTRY_ID, states: freshStates(), placement: PLACEMENT, lockdownAcr: true });
  const run = {
    kind: 'Hardened' as const,
    instanceId: 'i1',
    startedAt: '2026-03-01T10:00:00.000Z',
    endedAt: '2026-03-01T10:05:00.000Z',
    plan,
    applied: emptyApplied(),
    dns: [],
    discovery: undefined,
  };

  it('counts what was applied only in apply mode', () => {
    const apply = outcomeArgsOf({ ...run, input: { registryId: REGISTRY_ID, mode: 'apply', triggeredAt: '2026-03-01T09:59:00.000Z' } });
    expect(apply).toEqual({ ...run, kind: 'Hardened', registryId: REGISTRY_ID, mode: 'apply', applied: run.applied, triggeredAt: '2026-03-01T09:59:00.000Z', discovery: undefined });
    expect('discovery' in apply).toBe(false);
    const planned = outcomeArgsOf({ ...run, kind: 'Planned', input: { registryId: REGISTRY_ID, mode: 'plan' } });
    expect(planned.applied).toBeUndefined();
    expect(planned.plan).toBe(plan);
    expect('triggeredAt' in planned).toBe(false);
  });

  it('carries notes and the error, and leaves out what the run never reached', () => {
    const failed = outcomeArgsOf({ ...run, kind: 'Failed', plan: undefined, input: { registryId: REGISTRY_ID, mode: 'apply' }, notes: ['n'], error: { code: 'X.Y', message: 'm' } });
    expect(failed.notes).toEqual(['n']);
    expect(failed.error).toEqual({ code: 'X.Y', message: 'm' });
    expect('plan' in failed || 'applied' in failed).toBe(false);
  });
});
