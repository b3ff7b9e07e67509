import type { OrchestrationStatus } from '../../../local/func-host';
import { endedRunLines, eventLine } from '../../../local/sandbox-console';

/** The sandbox's event lines, from the event trigger's log lines (src/hardening/on-registry-write.ts). */
const REG = '/subscriptions/00000000-0000-0000-0000-0000000000a2/resourceGroups/rg-ml-team/providers/Microsoft.MachineLearningServices/registries/teamreg';

describe("the sandbox's event lines", () => {
  it.each([
    [JSON.stringify({ registryId: REG, instanceId: 'harden-teamreg-1', action: 'started', eventId: 'e1' }), 'event: teamreg (subscription 00000000-0000-0000-0000-0000000000a2) written → started (run harden-teamreg-1)'],
    [JSON.stringify({ registryId: REG, instanceId: 'harden-teamreg-1', action: 'follow-up queued', eventId: 'e2' }), 'event: teamreg (subscription 00000000-0000-0000-0000-0000000000a2) written → follow-up queued (run harden-teamreg-1)'],
    [`ignored event (acknowledged, no run started): written by the app itself (principal 00000000-0000-0000-0000-0000000000b1): ${REG}`, 'event: teamreg (subscription 00000000-0000-0000-0000-0000000000a2) written by the app itself → ignored (its own write)'],
    [`ignored event (acknowledged, no run started): registry ${REG} is outside the app's target scope (subscriptions …00a1)`, 'event: teamreg (subscription 00000000-0000-0000-0000-0000000000a2) written → ignored: outside the target scope'],
    ['ignored event (acknowledged, no run started): status Failed', 'event: an event → ignored: status Failed'],
    ['rejected malformed event (no run started): missing id', 'event: malformed → rejected: missing id'],
  ])('%s', (message, line) => {
    expect(eventLine(message)).toBe(line);
  });

  it('is silent about any other line of the trigger', () => {
    expect(eventLine('Executing onRegistryWrite')).toBeUndefined();
  });
});

describe("the sandbox's line per ended run", () => {
  const run = (instanceId: string, runtimeStatus: OrchestrationStatus['runtimeStatus'], output: unknown, mode = 'apply', name = 'hardenRegistry'): OrchestrationStatus => ({
    name, instanceId, runtimeStatus, input: { registryId: REG, mode }, customStatus: null, output, createdTime: '2026-01-01T00:00:00Z', lastUpdatedTime: '2026-01-01T00:00:05Z',
  });

  it('says once how each run ended, with its error code; running runs and sweeps say nothing', () => {
    const seen = new Set<string>();
    const items = [
      run('h1', 'Completed', { kind: 'Hardened' }),
      run('h2', 'Completed', { kind: 'Failed', error: { code: 'ARM.DENY_ASSIGNMENT' } }),
      run('h3', 'Completed', { kind: 'Planned' }, 'plan'),
      run('h4', 'Running', null),
      run('h5', 'Terminated', 'by hand'),
      run('s1', 'Completed', {}, 'apply', 'sweepRegistries'),
    ];
    expect(endedRunLines(items, seen)).toEqual([
      'run:   teamreg → Hardened (run h1)',
      'run:   teamreg → Failed (ARM.DENY_ASSIGNMENT) (run h2)',
      'run:   teamreg (plan) → Planned (run h3)',
      'run:   teamreg → Terminated (run h5)',
    ]);
    expect(endedRunLines(items, seen)).toEqual([]);
  });
});
