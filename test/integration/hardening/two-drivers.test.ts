import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRegistry, DEMO, startWorld, worldSettings, type World } from '../../../local/world';
import { loadConfig } from '../../../src/config';
import { runHardening } from '../../../src/hardening/harden.in-process';
import { DEFAULT_HARDEN_OPTIONS, parseHardenInput } from '../../../src/hardening/domain/harden-input';
import { toRegistryId } from '../../../src/hardening/domain/registry';
import type { RegistryId } from '../../../src/shared/arm-id';
import type { HardenOptions, Outcome, StepStatus } from '../../../src/hardening/domain/hardening';
import type { HardenStatus } from '../../../src/hardening/domain/progress';
import { createPorts, type ActivityDeps } from '../../../src/main';
import { instanceIdFor } from '../../../src/shared/instance-id';
import { adminGet, appWrites, type RequestLogEntry, arm, clearRequestLog, lastRunCreated, registryPath, requestLog, resources, startRun, waitForRun, waitUntil } from '../../helpers/world-helpers';

/**
 * One scenario table, run through both drivers of the hardening workflow: the durable one (the
 * hardenRegistry orchestration in the local Functions host) and the in-process one (the CLI's
 * runHardening), on the same simulated Azure, each on a registry of its own set up the same way.
 * A scenario passes when both reach the expected outcome AND their outcomes are the same:
 * kind, error code, how many changes and approvals, the final state of every step, how many ARM
 * writes. Both run on the wall clock with the same (short) options, so deadlines mean the same.
 */

const API = '?api-version=2025-12-01';
const OPTIONS: HardenOptions = {
  ...DEFAULT_HARDEN_OPTIONS,
  approvalPollSeconds: 1,
  approvalDeadlineMinutes: 2,
  dnsRetrySeconds: 1,
  dnsDeadlineMinutes: 1,
  provisioningPollSeconds: 1,
  accessPollSeconds: 1,
};

type Driver = 'durable' | 'in-process';

interface Comparable {
  kind: Outcome['kind'];
  code: string | undefined;
  changes: number;
  approved: number;
  steps: string[];
  writes: number;
}

interface RunRecord {
  outcome: Outcome;
  steps: StepStatus[];
  /** every step detail seen while it ran (the in-process driver reports each change; the durable one is sampled) */
  details: string[];
  /** the simulator's request log of the run (faulted answers carry no principal: they are sent before authentication) */
  requests?: RequestLogEntry[];
}

let world: World;
let deps: ActivityDeps;
const seen: Record<string, string[]> = {};

function comparable(record: RunRecord, writes: number): Comparable {
  const o = record.outcome;
  const approved = o.changes.filter((c) => /^connection of '.*' approved$/.test(c)).length;
  return { kind: o.kind, code: o.error?.code, changes: o.changes.length, approved, steps: record.steps.map((s) => `${s.step}:${s.state}`), writes };
}

async function outcomeEvent(registryId: string, after: number): Promise<Outcome> {
  return waitUntil('the durable run\'s outcome event', async () => {
    const events = await adminGet<Array<{ subject: string; time: string; data: Outcome }>>(world, '/eventgrid/topics/lockdown-outcomes/events');
    const mine = events.filter((e) => e.subject.toLowerCase() === registryId.toLowerCase() && !e.data.instanceId.startsWith('cli-') && Date.parse(e.data.endedAt) >= after);
    return mine.at(-1)?.data;
  });
}

/** What a scenario does while a run goes on: it sees the run's status and may raise the approve event. */
type During = (status: () => HardenStatus | undefined, raiseApprove: () => void) => Promise<void>;

/** One durable run through the local host; `during` acts while it runs (with the latest customStatus). */
async function durableRun(registryId: string, options: HardenOptions, during?: During): Promise<RunRecord> {
  const before = lastRunCreated(world, registryId);
  const startedAt = Date.now();
  const instanceId = startRun(world, registryId, 'apply', options as unknown as Record<string, unknown>);
  const status = (): HardenStatus | undefined => world.host.durable.getStatus(instanceId)?.customStatus as HardenStatus | undefined;
  const details: string[] = [];
  const sampler = setInterval(() => details.push(...(status()?.steps ?? []).map((s) => s.detail)), 20);
  try {
    if (during) await during(status, () => world.host.durable.engine.raiseEvent(instanceId, 'approve', { approvedBy: 'two-drivers test' }));
    const run = await waitForRun(world, registryId, { after: before, timeoutMs: 120_000 });
    const outcome = run.runtimeStatus === 'Completed' ? (run.output as Outcome) : await outcomeEvent(registryId, startedAt);
    return { outcome, steps: (run.customStatus as HardenStatus).steps, details };
  } finally {
    clearInterval(sampler);
  }
}

/** One in-process run (the CLI's driver) over the same activities; `during` acts while it runs. */
async function inProcessRun(registryId: RegistryId, options: HardenOptions, during?: During): Promise<RunRecord> {
  let latest: StepStatus[] | undefined;
  const details: string[] = [];
  const input = parseHardenInput({ registryId, mode: 'apply', options, trigger: 'test' });
  const running = runHardening(input, { publish: true }, {
    activity: deps,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    onProgress: (steps) => {
      latest = [...steps];
      details.push(...steps.map((s) => s.detail));
    },
  });
  // no events in process: the run polls, so "raise the approve event" does nothing here
  if (during) await during(() => (latest ? { registryId, mode: 'apply', steps: latest } : undefined), () => undefined);
  const { outcome, steps } = await running;
  return { outcome, steps, details };
}

interface Scenario {
  name: string;
  /** the registry name's stem; each driver gets `<stem>d` / `<stem>i` */
  stem: string;
  /** reuse the registries of an earlier scenario instead of creating new ones */
  reuse?: string;
  /** before the run, once the registry exists */
  arrange?: (registryId: string) => Promise<void>;
  /** while the run goes on */
  during?: (registryId: string, status: () => HardenStatus | undefined, raiseApprove: () => void) => Promise<void>;
  /** options of this scenario's runs on top of OPTIONS */
  options?: Partial<HardenOptions>;
  expect: (c: Comparable, record: RunRecord) => void;
}

async function addFault(spec: Record<string, unknown>): Promise<string> {
  const r = await fetch(`${world.sim.adminUrl}/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spec) });
  expect(r.status).toBeLessThan(300);
  return ((await r.json()) as { id: string }).id;
}

async function faultRemaining(id: string): Promise<number | undefined> {
  const faults = await adminGet<Array<{ id: string; remaining: number }>>(world, '/faults');
  return faults.find((f) => f.id === id)?.remaining;
}

async function approvalMode(targetId: string, mode: 'auto' | 'manual'): Promise<void> {
  const r = await fetch(`${world.sim.adminUrl}/approval-mode`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ targetId, mode }) });
  expect(r.status).toBe(200);
}

async function approveConnections(registryId: string): Promise<void> {
  const conns = await arm(world, 'GET', `${registryId}/privateEndpointConnections${API}`);
  for (const conn of (conns.body.value as Array<{ id: string; properties: Record<string, unknown> }>) ?? []) {
    const state = conn.properties.registryPrivateLinkServiceConnectionState as { status?: string } | undefined;
    if (state?.status === 'Approved') continue;
    const put = await arm(world, 'PUT', `${conn.id}${API}`, { properties: { ...conn.properties, registryPrivateLinkServiceConnectionState: { status: 'Approved', description: 'approved by the network team' } } });
    expect(put.status).toBe(200);
  }
}

const stepRunning = (status: () => HardenStatus | undefined, step: string, detail?: RegExp) => () => {
  const s = status()?.steps.find((x) => x.step === step);
  return s?.state === 'running' && (detail === undefined || detail.test(s.detail)) ? true : undefined;
};

let blobLink: { id: string; body: Record<string, unknown> } | undefined;

const SCENARIOS: Scenario[] = [
  {
    name: 'fresh registry: endpoints, zone groups, public access off, DNS proven',
    stem: 'tdfresh',
    expect: (c) => {
      expect(c.kind).toBe('Hardened');
      // under `propagating` the service turns storage and ACR off itself
      expect(c.writes).toBe(process.env.SIM_PROFILE === 'propagating' ? 7 : 9);
      expect(c.steps.every((s) => s.endsWith(':done'))).toBe(true);
    },
  },
  {
    name: 'already hardened: nothing to change, zero writes',
    stem: 'tdfresh',
    reuse: 'tdfresh',
    expect: (c) => {
      expect(c.kind).toBe('Hardened');
      expect(c.changes).toBe(0);
      expect(c.writes).toBe(0);
    },
  },
  {
    name: 'throttled calls: a 429 the SDK does not retry is waited out and the call made again',
    stem: 'tdthrottle',
    arrange: async (id) => {
      const name = id.split('/').at(-1) ?? '';
      seen[id] = [await addFault({ method: 'GET', pathPattern: `/registries/${name}(\\?|$)`, status: 429, headers: { 'retry-after': '1' }, body: { error: { code: 'SubscriptionRequestsThrottled', message: 'Number of read requests exceeded.' } }, count: 1 })];
    },
    expect: (c, record) => {
      expect(c.kind).toBe('Hardened');
      // on the wire: the registry's first read was answered 429, and read again after the wait
      const reads = (record.requests ?? []).filter((r) => r.method === 'GET' && /\/registries\/tdthrottle[di]$/i.test(r.path)).map((r) => r.status);
      expect(reads.slice(0, 2)).toEqual([429, 200]);
    },
  },
  {
    name: 'pending approval: the run waits, and goes on once the connection is approved',
    stem: 'tdapprove',
    arrange: (id) => approvalMode(id, 'manual'),
    during: async (id, status, raiseApprove) => {
      await waitUntil('the approval step to wait', stepRunning(status, 'approval'), 60_000);
      await approveConnections(id);
      raiseApprove();
    },
    expect: (c) => {
      expect(c.kind).toBe('Hardened');
      expect(c.approved).toBeGreaterThanOrEqual(1);
    },
  },
  {
    name: 'refusal: a missing permission of the app\'s role is waited out briefly (a role assignment may still propagate), then fails the run, naming it',
    stem: 'tdrefuse',
    options: { accessPropagationMinutes: 0.05 },
    arrange: async (id) => {
      const name = id.split('/').at(-1) ?? '';
      await addFault({
        method: 'PUT', pathPattern: `/privateEndpoints/pe-${name}-blob-`, status: 403, count: 1000,
        body: { error: { code: 'AuthorizationFailed', message: `The client '${world.sim.principal.oid}' with object id '${world.sim.principal.oid}' does not have authorization to perform action 'Microsoft.Network/privateEndpoints/write' over scope '${world.subnetId}' or the scope is invalid.` } },
      });
    },
    expect: (c) => {
      expect(c.kind).toBe('Failed');
      expect(c.code).toBe('ARM.FORBIDDEN');
      expect(c.steps).toContain('endpoints:failed');
    },
  },
  {
    name: 'DNS retry: a name that does not resolve yet is proven on a later attempt',
    stem: 'tddns',
    arrange: async () => {
      const links = await resources(world, 'Microsoft.Network/privateDnsZones/virtualNetworkLinks');
      const link = links.find((l) => l.id.toLowerCase().includes('privatelink.blob.core.windows.net'));
      expect(link).toBeDefined();
      const got = await arm(world, 'GET', `${link?.id ?? ''}?api-version=2024-06-01`);
      blobLink = { id: link?.id ?? '', body: { location: got.body.location, properties: { virtualNetwork: (got.body.properties as Record<string, unknown>).virtualNetwork, registrationEnabled: false } } };
      const deleted = await arm(world, 'DELETE', `${blobLink.id}?api-version=2024-06-01`);
      expect({ status: deleted.status, body: deleted.body }).toMatchObject({ status: expect.any(Number) as number });
      expect(deleted.status).toBeLessThan(300);
    },
    during: async (_id, status) => {
      await waitUntil('a failed DNS attempt', stepRunning(status, 'dns', /retrying at/), 60_000);
      const put = await arm(world, 'PUT', `${blobLink?.id ?? ''}?api-version=2024-06-01`, blobLink?.body);
      expect(put.status).toBeLessThan(300);
      // the link is a long-running operation: the next scenario step may touch it only once it has finished
      await waitUntil('the restored link', async () => {
        const got = await arm(world, 'GET', `${blobLink?.id ?? ''}?api-version=2024-06-01`);
        return (got.body.properties as { provisioningState?: string } | undefined)?.provisioningState === 'Succeeded' ? true : undefined;
      }, 60_000);
    },
    expect: (c, record) => {
      expect(c.kind).toBe('Hardened');
      expect(record.details.some((d) => /retrying at/.test(d))).toBe(true);
    },
  },
  {
    name: 'deadline: a connection nobody approves fails the run when the approval deadline passes',
    stem: 'tddeadline',
    arrange: (id) => approvalMode(id, 'manual'),
    options: { approvalDeadlineMinutes: 0.1 },
    expect: (c) => {
      expect(c.kind).toBe('Failed');
      expect(c.code).toBe('HARDEN.APPROVAL_DEADLINE');
      expect(c.steps).toContain('approval:failed');
    },
  },
];

beforeAll(async () => {
  world = await startWorld({ stateDir: mkdtempSync(join(tmpdir(), 'two-drivers-')), hostTimeScale: 1, settings: { ARM_MAX_RETRIES: '0' } });
  // runs are started by hand here: no creation event may start one of its own
  await fetch(`${world.sim.adminUrl}/eventgrid/subscriptions/registry-writes`, { method: 'DELETE' });
  const { api, blob, acr } = world.zoneIds;
  const env: Record<string, string> = { ...worldSettings(world.sim, { subnetId: world.subnetId, zoneIds: [api, blob, acr] }), DNS_DEADLINE_MINUTES: '5', ARM_MAX_RETRIES: '0' };
  // the credential chain reads the managed-identity endpoint from the environment, as in Azure
  process.env.IDENTITY_ENDPOINT = env.IDENTITY_ENDPOINT;
  process.env.IDENTITY_HEADER = env.IDENTITY_HEADER;
  const config = loadConfig(env);
  deps = { config, ports: createPorts(config), now: () => new Date() };
}, 120_000);

afterAll(async () => {
  await world?.stop();
});

describe('one hardening workflow, two drivers: the same scenario ends the same way', () => {
  it.each(SCENARIOS.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
    const results: Partial<Record<Driver, Comparable>> = {};
    for (const driver of ['durable', 'in-process'] as const) {
      const name = `${scenario.reuse ?? scenario.stem}${driver === 'durable' ? 'd' : 'i'}`;
      const id = toRegistryId(registryPath(world, DEMO.rg, name));
      if (!scenario.reuse) await createRegistry(world.sim, world.user, { name, regions: ['westeurope'] });
      if (scenario.arrange) await scenario.arrange(id);
      await clearRequestLog(world);
      const act = scenario.during;
      const during: During | undefined = act ? (status, raiseApprove) => act(id, status, raiseApprove) : undefined;
      const options = { ...OPTIONS, ...scenario.options };
      const record = driver === 'durable' ? await durableRun(id, options, during) : await inProcessRun(id, options, during);
      const requests = await requestLog(world);
      record.requests = requests;
      // accepted writes: how many refusals a propagating exemption costs depends on timing (strict profile)
      const writes = appWrites(requests, world).filter((w) => w.status < 400).length;
      const c = comparable(record, writes);
      try {
        scenario.expect(c, record);
      } catch (e) {
        throw new Error(`${driver} driver: ${(e as Error).message}\nsteps seen: ${JSON.stringify([...new Set(record.details)])}`);
      }
      for (const faultId of seen[id] ?? []) expect((await faultRemaining(faultId)) ?? 0).toBe(0);
      results[driver] = c;
      await approvalMode(id, 'auto');
      expect(world.host.durable.getStatus(instanceIdFor(id))?.runtimeStatus ?? 'none').not.toBe('Running');
    }
    expect(results['in-process']).toEqual(results.durable);
  }, 300_000);
});
