import path from 'node:path';
import { getStatus, isTerminal, readEffects, startHost, startOrchestration, tempDir, waitFor, waitForStatus, type RunningHost } from './harness';

const EXPECTED = (id: string): unknown => ({
  results: [0, 1, 2, 3].map((i) => `${id}-s${i}-done`),
  fan: [0, 1, 2].map((i) => `${id}-f${i}`.toUpperCase()),
});

describe('durable state survives a host crash', () => {
  let host: RunningHost | undefined;
  afterEach(async () => {
    await host?.kill();
  });

  it('an uninterrupted run gives the reference result', async () => {
    const dir = tempDir('func-host-ref');
    host = await startHost({ stateDir: path.join(dir, 'state'), sideEffectsFile: path.join(dir, 'effects.jsonl') });
    await startOrchestration(host, 'crashable', { steps: 4, ms: 50 }, 'ref-1');
    const s = await waitForStatus(host, 'ref-1', isTerminal);
    expect(s.runtimeStatus).toBe('Completed');
    expect(s.output).toEqual(EXPECTED('ref-1'));
  });

  it('SIGKILL in the middle of an activity, restart on the same stateDir: resumes from history and completes', async () => {
    const dir = tempDir('func-host-crash');
    const stateDir = path.join(dir, 'state');
    const effects = path.join(dir, 'effects.jsonl');
    host = await startHost({ stateDir, sideEffectsFile: effects });
    const res = await startOrchestration(host, 'crashable', { steps: 4, ms: 700 }, 'crash-1');
    expect(res.status).toBe(202);
    // Wait until step 2 has started but not finished, then crash.
    await waitFor(() => (readEffects(effects).some((e) => e.kind === 'slow-start' && e.key === 'crash-1-s1') ? true : undefined));
    expect(readEffects(effects).some((e) => e.kind === 'slow-done' && e.key === 'crash-1-s1')).toBe(false);
    const before = await getStatus(host, 'crash-1');
    expect(before?.runtimeStatus).toBe('Running');
    await host.kill();

    host = await startHost({ stateDir, sideEffectsFile: effects });
    const s = await waitForStatus(host, 'crash-1', isTerminal, 30_000);
    expect(s.runtimeStatus).toBe('Completed');
    expect(s.output).toEqual(EXPECTED('crash-1'));
    expect(s.customStatus).toEqual({ done: 4 });

    const all = readEffects(effects);
    for (let i = 0; i < 4; i++) {
      expect(all.filter((e) => e.kind === 'slow-done' && e.key === `crash-1-s${i}`).length).toBeGreaterThanOrEqual(1);
    }
    for (let i = 0; i < 3; i++) expect(all.filter((e) => e.kind === 'record' && e.key === `crash-1-f${i}`).length).toBeGreaterThanOrEqual(1);
    // s0 completed before the crash and is not re-run; s1 was interrupted and ran again (at least once).
    expect(all.filter((e) => e.kind === 'slow-start' && e.key === 'crash-1-s0')).toHaveLength(1);
    expect(all.filter((e) => e.kind === 'slow-start' && e.key === 'crash-1-s1')).toHaveLength(2);
    // both processes did work
    expect(new Set(all.filter((e) => e.key.startsWith('crash-1')).map((e) => e.pid)).size).toBe(2);
  });

  it('a graceful stop persists in-flight completions and a new host finishes the instance', async () => {
    const dir = tempDir('func-host-graceful');
    const stateDir = path.join(dir, 'state');
    const effects = path.join(dir, 'effects.jsonl');
    host = await startHost({ stateDir, sideEffectsFile: effects });
    await startOrchestration(host, 'crashable', { steps: 2, ms: 400 }, 'grace-1');
    await waitFor(() => (readEffects(effects).some((e) => e.kind === 'slow-start' && e.key === 'grace-1-s0') ? true : undefined));
    await host.stop();
    // the interrupted step finished during the graceful stop and is not run again
    expect(readEffects(effects).filter((e) => e.kind === 'slow-done' && e.key === 'grace-1-s0')).toHaveLength(1);
    host = await startHost({ stateDir, sideEffectsFile: effects });
    const s = await waitForStatus(host, 'grace-1', isTerminal);
    expect(s.output).toEqual({ results: ['grace-1-s0-done', 'grace-1-s1-done'], fan: ['GRACE-1-F0', 'GRACE-1-F1', 'GRACE-1-F2'] });
    expect(readEffects(effects).filter((e) => e.kind === 'slow-start' && e.key === 'grace-1-s0')).toHaveLength(1);
  });

  it('a durable timer pending at the crash fires after the restart', async () => {
    const dir = tempDir('func-host-timer-crash');
    const stateDir = path.join(dir, 'state');
    const effects = path.join(dir, 'effects.jsonl');
    host = await startHost({ stateDir, sideEffectsFile: effects, timeScale: 0.01 });
    await startOrchestration(host, 'approval', { timeoutSeconds: 150 }, 'timer-crash');
    await waitForStatus(host, 'timer-crash', (s) => s.runtimeStatus === 'Running');
    await host.kill();
    host = await startHost({ stateDir, sideEffectsFile: effects, timeScale: 0.01 });
    const s = await waitForStatus(host, 'timer-crash', isTerminal);
    expect(s.output).toEqual({ approved: false, timedOut: true });
  });
});
