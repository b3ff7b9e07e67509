import path from 'node:path';
import { DEFAULT_FUNCTION_TIMEOUT, parseFunctionTimeout, readHostSettings } from '../../../local/func-host/host-json';
import { isTerminal, readEffects, startHost, startOrchestration, tempDir, waitForStatus, type RunningHost } from './harness';

describe('host.json functionTimeout: parsing as the host reads it', () => {
  it('reads a TimeSpan, treats -1 as unbounded and uses the plan default when unset', () => {
    expect(parseFunctionTimeout('00:10:00')).toEqual({ ms: 600_000, text: '00:10:00' });
    expect(parseFunctionTimeout('1.02:00:30')).toEqual({ ms: (26 * 3600 + 30) * 1000, text: '1.02:00:30' });
    expect(parseFunctionTimeout('00:00:01.5')).toEqual({ ms: 1500, text: '00:00:01.5000000' });
    expect(parseFunctionTimeout('-1')).toBeUndefined();
    expect(parseFunctionTimeout(undefined)).toEqual(parseFunctionTimeout(DEFAULT_FUNCTION_TIMEOUT));
    expect(parseFunctionTimeout(undefined)?.ms).toBe(30 * 60_000);
  });

  it('refuses what is not a TimeSpan', () => {
    for (const bad of ['10m', '00:61:00', '600', '00:00:00', 600]) expect(() => parseFunctionTimeout(bad)).toThrow(/functionTimeout/);
  });

  it("the app's host.json says 10 minutes; the app setting AzureFunctionsJobHost__functionTimeout overrides it", () => {
    const hostJson = path.resolve(__dirname, '../../../host.json');
    expect(readHostSettings(hostJson).functionTimeout).toEqual({ ms: 600_000, text: '00:10:00' });
    expect(readHostSettings(hostJson, { AzureFunctionsJobHost__functionTimeout: '00:00:02' }).functionTimeout?.ms).toBe(2000);
  });
});

describe('the local host enforces functionTimeout on every invocation', () => {
  let host: RunningHost;

  beforeAll(async () => {
    const dir = tempDir('func-host-timeout');
    host = await startHost({
      stateDir: path.join(dir, 'state'),
      sideEffectsFile: path.join(dir, 'effects.jsonl'),
      timeScale: 0.01,
      env: { AzureFunctionsJobHost__functionTimeout: '00:00:01' },
    });
  });

  afterAll(async () => {
    await host?.stop();
  });

  it('an HTTP invocation past the timeout fails (500) after the timeout, a quick one answers', async () => {
    const started = Date.now();
    const late = await fetch(`${host.baseUrl}/api/sleep?ms=4000`);
    const took = Date.now() - started;
    expect(late.status).toBe(500);
    expect(took).toBeGreaterThanOrEqual(950);
    expect(took).toBeLessThan(3500);
    const quick = await fetch(`${host.baseUrl}/api/sleep?ms=10`);
    expect(quick.status).toBe(200);
    expect(await quick.text()).toBe('awake');
    expect(host.stderr()).toMatch(/Timeout value of 00:00:01 exceeded by function 'Functions\.sleep' \(Id: '[0-9a-f-]+'\)\. Initiating cancellation\./);
  });

  it('an activity past the timeout fails with the host\'s timeout error and its retry policy runs it again', async () => {
    const res = await startOrchestration(host, 'outlivesTimeout', { ms: 4000 }, 'timeout-1');
    expect(res.status).toBe(202);
    const final = await waitForStatus(host, 'timeout-1', isTerminal);
    expect(final.runtimeStatus).toBe('Completed');
    expect(final.output).toBe('timeout-1:ok@2');
    const failed = final.historyEvents!.filter((e) => e.EventType === 'TaskFailed');
    expect(failed).toHaveLength(1);
    expect(String(failed[0]!.Reason)).toContain('Timeout value of 00:00:01 was exceeded by function: Functions.slowOnce');
    expect(readEffects(host.sideEffectsFile).filter((e) => e.kind === 'slow-once').map((e) => e.attempt)).toEqual([1, 2]);
  });
});
