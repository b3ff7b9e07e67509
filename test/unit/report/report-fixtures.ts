import type { Outcome, StepStatus } from '../../../src/hardening/domain/hardening';
import type { StepWait } from '../../../src/hardening/domain/progress';
import { Orchestrators } from '../../../src/shared/names';
import { assembleRegistryReport, runFromStatus, type IsolationReading, type RegistryReport, type RunView } from '../../../src/report/domain/report';
import type { DurableStatusRecord } from '../../../src/shared/durable-status';
import { REGISTRY_ID, SUB, SUBNET_ID, TARGETS } from '../../helpers/hardening-fixtures';

/** A name as whoever created the resource might choose it: markup, quotes, an entity, a backtick, a control character. */
export const HOSTILE = `"><script>alert(1)</script><img src=x onerror=alert(2)>'&amp;\`\u0007`;

export const T0 = Date.UTC(2026, 2, 1, 10, 0, 0);
export const at = (ms: number): string => new Date(T0 + ms).toISOString();

/** The eight steps of a lockdown-first apply run, with an access wait in lockdown, approval polls and a DNS retry. */
export function appliedSteps(): StepStatus[] {
  return [
    { step: 'read', state: 'done', detail: 'reg1: 2 region(s)', startedAt: at(0), endedAt: at(800) },
    { step: 'resolve', state: 'done', detail: 'registry, 2 storage account(s)', startedAt: at(800), endedAt: at(1200) },
    { step: 'plan', state: 'done', detail: '12 write(s)', startedAt: at(1200), endedAt: at(1210) },
    { step: 'endpoints', state: 'done', detail: '4 created', startedAt: at(40_000), endedAt: at(46_000) },
    { step: 'approval', state: 'done', detail: 'all 4 connection(s) Approved', startedAt: at(46_000), endedAt: at(106_000) },
    { step: 'lockdown', state: 'done', detail: '4 disabled', startedAt: at(1210), endedAt: at(40_000) },
    { step: 'dns', state: 'done', detail: '12 name(s) resolve to their private IPs', startedAt: at(106_000), endedAt: at(140_000) },
    { step: 'publish', state: 'done', detail: 'published', startedAt: at(140_000), endedAt: at(140_300) },
  ];
}

export function appliedWaits(): StepWait[] {
  return [
    { step: 'lockdown', kind: 'access', startedAt: at(2_000), endedAt: at(32_000), count: 1 },
    { step: 'approval', kind: 'approval', startedAt: at(46_100), endedAt: at(105_000), count: 2 },
    { step: 'dns', kind: 'throttling', startedAt: at(107_000), endedAt: at(110_000), count: 1 },
    { step: 'dns', kind: 'dns', startedAt: at(111_000), endedAt: at(139_000), count: 1 },
  ];
}

export function hardenedOutcome(overrides: Partial<Outcome> = {}): Outcome {
  return {
    kind: 'Hardened', registryId: REGISTRY_ID, instanceId: 'harden-reg1-0123456789abcdef', mode: 'apply',
    changes: ['disabled public network access of registry'], alreadyCompliant: [], warnings: [],
    dns: [{ fqdn: 'reg1.privatelink.api.azureml.ms', expectedIp: '10.0.0.4', endpointId: 'pe1', kind: 'registry', ok: true, answered: ['10.0.0.4'], chain: [] }],
    startedAt: at(0), endedAt: at(140_300), exposureWindowMs: 42_000,
    plan: {
      registryId: REGISTRY_ID, endpoints: [], warnings: [], writes: 12,
      publicAccess: TARGETS.map((t) => ({ target: t, current: 'Enabled', action: t.kind === 'acr' ? 'skip' as const : 'disable' as const, ...(t.kind === 'acr' ? { reason: 'LOCKDOWN_ACR=false' } : {}) })),
    },
    ...overrides,
  };
}

/** A durable status as the store lists it. */
export function status(overrides: Partial<DurableStatusRecord> & { steps?: StepStatus[]; waits?: StepWait[] } = {}): DurableStatusRecord {
  const { steps, waits, ...rest } = overrides;
  return {
    name: Orchestrators.hardenRegistry,
    instanceId: 'harden-reg1-0123456789abcdef',
    runtimeStatus: 'Completed',
    input: { registryId: REGISTRY_ID, mode: 'apply', trigger: 'eventgrid', triggeredAt: at(-2_000), options: {} },
    customStatus: { registryId: REGISTRY_ID, mode: 'apply', steps: steps ?? appliedSteps(), waits: waits ?? appliedWaits() },
    output: hardenedOutcome(),
    createdTime: at(0),
    lastUpdatedTime: at(140_300),
    ...rest,
  };
}

export function run(overrides: Parameters<typeof status>[0] = {}): RunView {
  const r = runFromStatus(status(overrides), Orchestrators.hardenRegistry);
  if (r === undefined) throw new Error('not a run');
  return r;
}

export function reading(overrides: Partial<IsolationReading> = {}): IsolationReading {
  return {
    readAt: at(200_000),
    registry: { id: REGISTRY_ID, name: 'reg1', subscriptionId: SUB, resourceGroup: 'rg-ml', location: 'eastus', regions: ['eastus', 'westeurope'], managedResourceGroupId: `/subscriptions/${SUB}/resourceGroups/azureml-rg-reg1_1`, exempt: false },
    resources: TARGETS.map((t) => ({ kind: t.kind, id: t.id, name: t.name, region: t.region, publicNetworkAccess: t.kind === 'acr' ? 'Enabled' : 'Disabled' })),
    endpoints: TARGETS.map((t, i) => ({
      id: `/subscriptions/${SUB}/resourceGroups/rg-endpoints/providers/Microsoft.Network/privateEndpoints/pe-${i}`, name: `pe-${t.name}`,
      targetKind: t.kind, targetName: t.name, targetId: t.id, groupIds: ['blob'], subnetId: SUBNET_ID,
      privateIps: [`10.0.0.${i + 4}`], connectionStatus: 'Approved', provisioningState: 'Succeeded', inAppSubnet: true,
    })),
    dns: { source: 'now', checkedAt: at(200_000), checks: [{ fqdn: 'reg1.privatelink.api.azureml.ms', expectedIp: '10.0.0.4', endpointId: 'pe1', kind: 'registry', ok: true, answered: ['10.0.0.4'], chain: [] }] },
    ...overrides,
  };
}

export function report(args: { reading?: IsolationReading; runs?: RunView[] } = {}): RegistryReport {
  return assembleRegistryReport({
    reading: args.reading ?? reading(),
    runs: args.runs ?? [run()],
    generatedAt: at(200_000),
    links: { self: 'https://app.example/api/registries/x/report', json: 'https://app.example/api/registries/x/report?format=json', fleet: 'https://app.example/api/fleet/report' },
  });
}
