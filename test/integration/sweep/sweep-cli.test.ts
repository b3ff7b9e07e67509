import { createRegistry, DEMO } from '../../../local/world';
import type { SweepReport } from '../../../src/sweep/domain/sweep';
import { appWrites, clearRequestLog, requestLog, runCli, startCliWorld, type CliWorld } from '../cli/cli-world';

const MISSING_SUB = '00000000-0000-0000-0000-0000000000b2';

/** `aml-lockdown sweep` end to end: the built CLI as a child process against the local Azure. */
describe('aml-lockdown sweep on the local Azure', () => {
  let world: CliWorld;
  let settings: Record<string, string>;
  const idOf = (name: string): string => `/subscriptions/${world.sim.subscriptionId}/resourceGroups/${DEMO.rg}/providers/Microsoft.MachineLearningServices/registries/${name}`;

  beforeAll(async () => {
    world = await startCliWorld();
    settings = { ...world.settings, TARGET_SUBSCRIPTION_IDS: world.sim.subscriptionId };
    await createRegistry(world.sim, world.user, { name: 'clisweepa', regions: ['westeurope'] });
    await createRegistry(world.sim, world.user, { name: 'clisweepb', regions: ['westeurope'] });
  });
  afterAll(async () => {
    await world?.stop();
  });

  it('without --apply: reports both registries non-compliant, writes nothing, exits 0', async () => {
    await clearRequestLog(world.sim);
    const r = await runCli(['sweep', '--json'], settings);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as SweepReport;
    expect(report).toMatchObject({ mode: 'plan', trigger: 'cli', failures: 0, subscriptions: [{ subscriptionId: world.sim.subscriptionId, ok: true, registries: 2 }] });
    expect(report.registries.map((l) => [l.registryId, l.result])).toEqual([[idOf('clisweepa'), 'nonCompliant'], [idOf('clisweepb'), 'nonCompliant']]);
    expect(appWrites(await requestLog(world.sim), world.sim)).toEqual([]);
  });

  it('--apply hardens the non-compliant one, keeps the compliant one, reports the unknown subscription failed, exits 1', async () => {
    const one = await runCli(['apply', idOf('clisweepa'), '--poll-seconds', '1', '--no-publish'], world.settings);
    expect(one.code).toBe(0);
    const r = await runCli(['sweep', '--apply', '--json', '--no-publish', '--poll-seconds', '1', '--subscriptions', `${world.sim.subscriptionId},${MISSING_SUB}`], settings, 120_000);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as SweepReport;
    expect(report.mode).toBe('apply');
    expect(report.subscriptions).toMatchObject([
      { subscriptionId: world.sim.subscriptionId, ok: true, registries: 2 },
      { subscriptionId: MISSING_SUB, ok: false, error: { message: expect.stringMatching(/could not be found/) as unknown as string } },
    ]);
    expect(report.registries.map((l) => [l.registryId, l.result])).toEqual([[idOf('clisweepa'), 'compliant'], [idOf('clisweepb'), 'hardened']]);
    expect(report.failures).toBe(1);
  });

  it('afterwards the human display shows both compliant and exits 0', async () => {
    const r = await runCli(['sweep'], settings);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/✔ compliant\s+\/subscriptions\/.*\/clisweepa/);
    expect(r.stdout).toMatch(/✔ compliant\s+\/subscriptions\/.*\/clisweepb/);
    expect(r.stdout).toMatch(/Sweep \(plan\): 2 registries in 1 subscription\(s\): 2 compliant; 0 failure\(s\)/);
  });

  it('usage errors and a missing TARGET_SUBSCRIPTION_IDS exit 2', async () => {
    expect((await runCli(['sweep', 'extra'], settings)).code).toBe(2);
    expect((await runCli(['sweep', '--subscriptions', 'not-a-guid'], settings)).code).toBe(2);
    const none = await runCli(['sweep'], { ...world.settings, TARGET_SUBSCRIPTION_IDS: '' });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no subscriptions configured: set TARGET_SUBSCRIPTION_IDS/);
  });
});
