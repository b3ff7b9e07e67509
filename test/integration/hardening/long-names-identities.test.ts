import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRegistry, startWorld, type World } from '../../../local/world';
import { customRoleActions } from '../../../src/azure/permissions';
import { DEFAULT_HARDEN_OPTIONS } from '../../../src/hardening/domain/harden-input';
import { instanceIdFor } from '../../../src/shared/instance-id';
import { appWrites, clearRequestLog, lastRunCreated, outcomeOf, requestLog, resources, startRun, waitForRun, waitUntil } from '../../helpers/world-helpers';

const ASSIGN = 'Microsoft.ManagedIdentity/userAssignedIdentities/assign/action';
const FAST = { ...DEFAULT_HARDEN_OPTIONS, approvalPollSeconds: 5, dnsRetrySeconds: 5, provisioningPollSeconds: 5, dnsDeadlineMinutes: 1 };
/** 33 characters, the longest registry name Azure ML allows */
const LONG_NAME = 'lockdownregistry-longest-name-33c';

/**
 * On the default simulator (strict: the managed group's deny assignment, the app exempt only once its
 * registry PUT has listed it and that has propagated; no manual step): Azure's name rules (private endpoints 2–64) and ARM's linked check on
 * the user-assigned identities a registry PUT carries, with the app's principal held to exactly
 * the custom role's actions (src/azure/permissions.ts).
 */
describe('a registry with the longest name, three regions and a user-assigned identity, hardened under the app\'s role', () => {
  let world: World;
  let registryId: string;
  const uai = (): string => `/subscriptions/${world.sim.subscriptionId}/resourceGroups/rg-identities/providers/Microsoft.ManagedIdentity/userAssignedIdentities/ml-registry-id`;
  const identity = () => ({ type: 'SystemAssigned,UserAssigned', userAssignedIdentities: { [uai()]: {} } });
  const grant = (actions: readonly string[]): Promise<Response> =>
    fetch(`${world.sim.adminUrl}/role-assignments/${world.sim.principal.oid}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ actions }) });
  const noActiveRun = (id: string) => waitUntil('no active run', () => (['Running', 'Pending'].includes(world.host.durable.getStatus(instanceIdFor(id))?.runtimeStatus ?? '') ? undefined : true));

  beforeAll(async () => {
    world = await startWorld({ stateDir: mkdtempSync(join(tmpdir(), 'long-names-')), hostTimeScale: 0.05, settings: { DNS_DEADLINE_MINUTES: '1' } });
    expect((await grant(customRoleActions())).status).toBe(200);
  });
  afterAll(async () => {
    await world?.stop();
  });

  it('ends Hardened with every endpoint name within 64 characters (the 67-character one shortened, kind and region kept)', async () => {
    expect(LONG_NAME).toHaveLength(33);
    expect(customRoleActions()).toContain(ASSIGN);
    await clearRequestLog(world);
    registryId = await createRegistry(world.sim, world.user, { name: LONG_NAME, regions: ['australiasoutheast', 'australiaeast', 'westeurope'], identity: identity() });
    const run = await waitForRun(world, registryId, { timeoutMs: 120_000 });
    const outcome = outcomeOf(run);
    expect(outcome.kind).toBe('Hardened');
    expect(outcome.dns.length).toBeGreaterThan(0);
    expect(outcome.dns.every((d) => d.ok)).toBe(true);
    // one private name per registry region, proven in its privatelink form (the NICs report the public one)
    const registryNames = outcome.dns.filter((d) => d.kind === 'registry').map((d) => d.fqdn);
    expect(registryNames.filter((n) => /\.registry\.(australiasoutheast|australiaeast|westeurope)\.privatelink\.api\.azureml\.ms$/.test(n))).toHaveLength(3);
    expect(registryNames.every((n) => n.endsWith('.privatelink.api.azureml.ms'))).toBe(true);

    const names = (await resources(world, 'Microsoft.Network/privateEndpoints')).map((e) => e.name).filter((n) => n.includes(LONG_NAME.slice(0, 20)));
    // 1 amlregistry + 3 blob + 1 acr
    expect(names).toHaveLength(5);
    for (const n of names) expect(n.length).toBeLessThanOrEqual(64);
    expect(names).toContain(`pe-${LONG_NAME}-blob-australiaeast`);
    const shortened = names.find((n) => n.endsWith('-amlregistry-australiasoutheast')) ?? '';
    expect(shortened).toMatch(/^pe-lockdownregistry-long-[0-9a-f]{8}-amlregistry-australiasoutheast$/);
    expect(shortened).toHaveLength(64);
    // the registry PUT passed ARM's linked check on the identity it carries
    const log = await requestLog(world);
    const put = log.find((r) => r.method === 'PUT' && r.path.toLowerCase() === registryId.toLowerCase() && r.principal === world.sim.principal.oid);
    expect(put?.linkedActions).toEqual([ASSIGN]);
    expect(put?.status).toBe(202);
  });

  it('a second run makes zero ARM writes (its endpoints are found by target and subnet)', async () => {
    await noActiveRun(registryId);
    await clearRequestLog(world);
    const before = lastRunCreated(world, registryId);
    startRun(world, registryId, 'apply', FAST);
    const run = await waitForRun(world, registryId, { after: before, timeoutMs: 120_000 });
    expect(outcomeOf(run).kind).toBe('Hardened');
    expect(outcomeOf(run).changes).toEqual([]);
    expect(appWrites(await requestLog(world), world)).toEqual([]);
  });

  it(`without ${ASSIGN} in the role the run fails at once with ARM.FORBIDDEN naming it`, async () => {
    await grant(customRoleActions().filter((a) => a !== ASSIGN));
    const id = await createRegistry(world.sim, world.user, { name: 'uaiwithoutassign', regions: ['westeurope'], identity: identity() });
    const run = await waitForRun(world, id, { timeoutMs: 120_000 });
    expect(run.runtimeStatus).toBe('Failed');
    const message = String(run.output);
    expect(message).toContain(`[ARM.FORBIDDEN] missing permission '${ASSIGN}' on scope '${uai()}'`);
    expect(message).toContain('403 LinkedAuthorizationFailed');
    expect(message).toContain("Grant it to the app's identity");
  });
});
