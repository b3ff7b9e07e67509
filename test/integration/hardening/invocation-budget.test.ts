import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRegistry, startWorld, type World } from '../../../local/world';
import { waitForRun } from '../../helpers/world-helpers';

/**
 * An activity whose calls, each within its own timeout, add up to more than its time budget
 * (FUNCTION_TIMEOUT_SECONDS less 60 s) stops with INVOCATION.BUDGET_SPENT instead of being killed
 * by the host: inspectTargets reads the subnet's VNet, then the storage accounts, each slowed to
 * 2.5 s; the budget is 4 s (FUNCTION_TIMEOUT_SECONDS=64), the settings' longest single wait is
 * 3 s + 1 s (so settings validation accepts them).
 */
describe('every activity runs within its time budget, through the local host', () => {
  let world: World;

  beforeAll(async () => {
    world = await startWorld({
      stateDir: mkdtempSync(join(tmpdir(), 'invocation-budget-')),
      hostTimeScale: 0.05,
      settings: { FUNCTION_TIMEOUT_SECONDS: '64', ARM_REQUEST_TIMEOUT_SECONDS: '3', ARM_MAX_RETRIES: '0', ARM_MAX_RETRY_AFTER_SECONDS: '1', ARM_LRO_DEADLINE_SECONDS: '1', DNS_DEADLINE_MINUTES: '1' },
    });
  });
  afterAll(async () => {
    await world?.stop();
  });

  it('calls that add up past the budget end the activity with INVOCATION.BUDGET_SPENT, retried by its policy, and the run names it', async () => {
    const slow = (pathPattern: string) =>
      fetch(`${world.sim.adminUrl}/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ method: 'GET', pathPattern, kind: 'slow', delayMs: 2500, count: 100 }) });
    expect((await slow('/virtualNetworks/')).status).toBeLessThan(300);
    expect((await slow('/storageAccounts/[^/?]+(\\?|$)')).status).toBeLessThan(300);
    const id = await createRegistry(world.sim, world.user, { name: 'budgetreg', regions: ['westeurope'] });
    const run = await waitForRun(world, id, { timeoutMs: 110_000 });
    const text = JSON.stringify(run.output);
    expect(text).toContain('[INVOCATION.BUDGET_SPENT]');
    expect(text).toContain("activity 'inspectTargets' used up its 4 s");
    // the armRead policy's 4 attempts, each one failing with the budget's error
    const failed = (run.historyEvents ?? []).filter((e) => e.EventType === 'TaskFailed' && e.FunctionName === 'inspectTargets');
    expect(failed).toHaveLength(4);
    for (const f of failed) expect(String(f.Reason)).toContain('[INVOCATION.BUDGET_SPENT]');
  });
});
