import path from 'node:path';
import { getStatus, isTerminal, readEffects, startHost, startOrchestration, tempDir, waitForStatus, type RunningHost } from './harness';

let host: RunningHost;

beforeAll(async () => {
  const dir = tempDir('func-host-durable');
  // timeScale 0.01: one durable second takes 10 real ms (retry backoff, timers).
  host = await startHost({ stateDir: path.join(dir, 'state'), sideEffectsFile: path.join(dir, 'effects.jsonl'), timeScale: 0.01 });
});

afterAll(async () => {
  await host?.stop();
});

const fk = (): Record<string, string> => ({ 'x-functions-key': host.functionKey, 'content-type': 'application/json' });

describe('durable engine', () => {
  it('retries an activity that fails twice, then runs the second one; custom status and history follow the protocol', async () => {
    const res = await startOrchestration(host, 'retryFlow', { hello: 1 }, 'retry-1');
    expect(res.status).toBe(202);
    const final = await waitForStatus(host, 'retry-1', isTerminal);
    expect(`${final.runtimeStatus} ${JSON.stringify(final.output)}`).toBe('Completed {"a":"retry-1-a:ok@3","b":"retry-1-b:ok@1","own":"Running"}');
    expect(final.output).toEqual({ a: 'retry-1-a:ok@3', b: 'retry-1-b:ok@1', own: 'Running' });
    expect(final.customStatus).toEqual({ step: 'done' });
    expect(final.input).toEqual({ hello: 1 });
    const flaky = readEffects(host.sideEffectsFile).filter((e) => e.kind === 'flaky' && e.key.startsWith('retry-1'));
    expect(flaky.map((e) => `${e.key}#${String(e.attempt)}`)).toEqual(['retry-1-a#1', 'retry-1-a#2', 'retry-1-a#3', 'retry-1-b#1']);
    const types = final.historyEvents!.map((e) => e.EventType);
    expect(types.filter((t) => t === 'TaskFailed')).toHaveLength(2);
    expect(types.filter((t) => t === 'TimerFired')).toHaveLength(2);
    expect(types[0]).toBe('ExecutionStarted');
    expect(types[types.length - 1]).toBe('ExecutionCompleted');
  });

  it('backs off between retry attempts: firstRetryInterval × backoffCoefficient^n in durable time', async () => {
    await startOrchestration(host, 'retryFlow', null, 'retry-2');
    const s = await waitForStatus(host, 'retry-2', isTerminal);
    const delays = s.historyEvents!.filter((e) => e.EventType === 'TimerCreated').map((e) => Date.parse(String(e.FireAt)) - Date.parse(String(e.Timestamp)));
    expect(delays).toEqual([200, 400]);
    const attempts = readEffects(host.sideEffectsFile).filter((e) => e.kind === 'flaky' && e.key === 'retry-2-a');
    expect(attempts).toHaveLength(3);
  });

  it('surfaces the last error when retries are exhausted', async () => {
    await startOrchestration(host, 'exhaustedRetries', null, 'exhausted-1');
    const s = await waitForStatus(host, 'exhausted-1', isTerminal);
    expect(s.runtimeStatus).toBe('Completed');
    expect(s.output).toEqual({ caught: 'flaky exhausted-1-x attempt 2 failed ' });
    expect(readEffects(host.sideEffectsFile).filter((e) => e.key === 'exhausted-1-x')).toHaveLength(2);
  });

  it('external event with timeout: the event wins', async () => {
    await startOrchestration(host, 'approval', { timeoutSeconds: 3600 }, 'approve-event');
    await waitForStatus(host, 'approve-event', (s) => s.customStatus === 'waiting-for-approval' && s.runtimeStatus === 'Running');
    const raise = await fetch(`${host.baseUrl}/durabletask/instances/approve-event/raiseEvent/Approve`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify('alice'),
    });
    expect(raise.status).toBe(202);
    const s = await waitForStatus(host, 'approve-event', isTerminal);
    expect(s.output).toEqual({ approved: true, by: 'alice' });
    expect(s.customStatus).toBe('approved');
  });

  it('external event with timeout: the durable timer wins', async () => {
    await startOrchestration(host, 'approval', { timeoutSeconds: 30 }, 'approve-timeout');
    const s = await waitForStatus(host, 'approve-timeout', isTerminal);
    expect(s.output).toEqual({ approved: false, timedOut: true });
    expect(s.historyEvents!.some((e) => e.EventType === 'TimerFired')).toBe(true);
    // the timer fired at its time, 30 engine seconds after the run began (not at once)
    const started = Date.parse(String(s.historyEvents!.find((e) => e.EventType === 'ExecutionStarted')?.Timestamp));
    const created = s.historyEvents!.find((e) => e.EventType === 'TimerCreated') as { FireAt?: string } | undefined;
    const fired = s.historyEvents!.find((e) => e.EventType === 'TimerFired') as { Timestamp?: string } | undefined;
    expect(Date.parse(String(created?.FireAt)) - started).toBeGreaterThanOrEqual(30_000);
    expect(Date.parse(String(fired?.Timestamp))).toBeGreaterThanOrEqual(Date.parse(String(created?.FireAt)));
    // raising after completion is 410 Gone
    const late = await fetch(`${host.baseUrl}/durabletask/instances/approve-timeout/raiseEvent/Approve`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '"bob"' });
    expect(late.status).toBe(410);
  });

  it('terminates a running instance', async () => {
    await startOrchestration(host, 'waitForever', null, 'term-1');
    await waitForStatus(host, 'term-1', (s) => s.customStatus === 'parked');
    const t = await fetch(`${host.baseUrl}/durabletask/instances/term-1/terminate?reason=stop%20it`, { method: 'POST' });
    expect(t.status).toBe(202);
    const s = await waitForStatus(host, 'term-1', isTerminal);
    expect(s.runtimeStatus).toBe('Terminated');
    expect(s.output).toBe('stop it');
  });

  it('rejects a start with the id of a running instance (NonRunningStates) and allows it once finished', async () => {
    await startOrchestration(host, 'waitForever', null, 'dup-1');
    const again = await startOrchestration(host, 'waitForever', null, 'dup-1');
    expect(again.status).toBe(500);
    expect(await again.text()).toContain('already exists');
    await fetch(`${host.baseUrl}/durabletask/instances/dup-1/terminate?reason=x`, { method: 'POST' });
    await waitForStatus(host, 'dup-1', isTerminal);
    const restart = await startOrchestration(host, 'retryFlow', null, 'dup-1');
    expect(restart.status).toBe(202);
    const s = await waitForStatus(host, 'dup-1', isTerminal);
    expect(s.name).toBe('retryFlow');
  });

  it('runs sub-orchestrations in parallel and continue-as-new', async () => {
    await startOrchestration(host, 'parentFlow', null, 'parent-1');
    const p = await waitForStatus(host, 'parent-1', isTerminal);
    expect(p.output).toEqual([3, 21]);
    const child = await getStatus(host, 'parent-1:0');
    expect(child?.runtimeStatus).toBe('Completed');
    await startOrchestration(host, 'counter', 0, 'counter-1');
    const c = await waitForStatus(host, 'counter-1', isTerminal);
    expect(c.output).toBe('counted to 3');
    expect(c.input).toBe(3);
  });

  it('fails an orchestration whose activity throws, with the error and last custom status', async () => {
    await startOrchestration(host, 'failing', null, 'fail-1');
    const s = await waitForStatus(host, 'fail-1', isTerminal);
    expect(s.runtimeStatus).toBe('Failed');
    expect(String(s.output)).toContain('activity exploded');
    expect(s.customStatus).toBe('about-to-fail');
  });

  it('detects nondeterminism on replay and fails the instance clearly', async () => {
    await startOrchestration(host, 'nondeterministic', null, 'nd-1');
    const s = await waitForStatus(host, 'nd-1', isTerminal);
    expect(s.runtimeStatus).toBe('Failed');
    expect(String(s.output)).toMatch(/Non-Deterministic workflow detected/);
  });

  it('caps concurrent activities at host.json maxConcurrentActivityFunctions (2)', async () => {
    await startOrchestration(host, 'fanOut', null, 'fan-1');
    const s = await waitForStatus(host, 'fan-1', isTerminal);
    expect(s.output).toEqual([0, 1, 2, 3, 4].map((i) => `fan-1-p${i}-done`));
    const marks = readEffects(host.sideEffectsFile)
      .filter((e) => e.key.startsWith('fan-1-p') && (e.kind === 'slow-start' || e.kind === 'slow-done'))
      .map((e) => ({ t: Date.parse(String(e.at)), d: e.kind === 'slow-start' ? 1 : -1 }))
      .sort((a, b) => a.t - b.t || a.d - b.d);
    let running = 0;
    let max = 0;
    for (const m of marks) max = Math.max(max, (running += m.d));
    expect(max).toBe(2);
  });

  it('404s unknown instances and 400s unknown orchestrators', async () => {
    expect(await getStatus(host, 'does-not-exist')).toBeUndefined();
    expect((await startOrchestration(host, 'noSuchOrchestrator', null)).status).toBe(400);
    const code = host.keys.systemKeys.durabletask_extension!;
    expect((await fetch(`${host.baseUrl}/runtime/webhooks/durabletask/instances/x`)).status).toBe(401);
    expect((await fetch(`${host.baseUrl}/runtime/webhooks/durabletask/instances/x?code=${code}`)).status).toBe(404);
  });

  it('lists with filters and continuation tokens, and purges', async () => {
    for (const id of ['page-a', 'page-b', 'page-c']) await startOrchestration(host, 'waitForever', null, id);
    const seen: string[] = [];
    let token: string | null = null;
    let pages = 0;
    do {
      const res: Response = await fetch(`${host.baseUrl}/durabletask/instances/?runtimeStatus=Running,Pending&top=2`, { headers: token ? { 'x-ms-continuation-token': token } : {} });
      const items = (await res.json()) as { instanceId: string; runtimeStatus: string }[];
      expect(items.length).toBeLessThanOrEqual(2);
      seen.push(...items.map((i) => i.instanceId));
      token = res.headers.get('x-ms-continuation-token');
      pages++;
    } while (token && pages < 20);
    expect(seen).toEqual(expect.arrayContaining(['page-a', 'page-b', 'page-c']));
    expect(pages).toBeGreaterThanOrEqual(2);
    const purge = await fetch(`${host.baseUrl}/durabletask/instances/page-a`, { method: 'DELETE' });
    expect(await purge.json()).toEqual({ instancesDeleted: 1 });
    expect(await getStatus(host, 'page-a')).toBeUndefined();
  });
});

describe('the real durable client (df.getClient) against the host', () => {
  it('drives start, status, raise event and terminate from HTTP functions', async () => {
    const start = await fetch(`${host.baseUrl}/api/orchestrators/approval/client-1`, { method: 'POST', headers: fk(), body: JSON.stringify({ timeoutSeconds: 3600 }) });
    expect(start.status).toBe(202);
    const payload = (await start.json()) as Record<string, string>;
    expect(payload.id).toBe('client-1');
    expect(payload.statusQueryGetUri).toContain(`${host.baseUrl}/runtime/webhooks/durabletask/instances/client-1`);
    expect(start.headers.get('location')).toBe(payload.statusQueryGetUri);
    // the management URL works as handed out
    const viaWebhook = await fetch(payload.statusQueryGetUri!);
    expect([200, 202]).toContain(viaWebhook.status);

    await waitForStatus(host, 'client-1', (s) => s.customStatus === 'waiting-for-approval');
    const status = await fetch(`${host.baseUrl}/api/orchestrations/client-1`, { headers: fk() });
    const body = (await status.json()) as { runtimeStatus: string; instanceId: string; input: unknown };
    expect(body).toMatchObject({ instanceId: 'client-1', runtimeStatus: 'Running', input: { timeoutSeconds: 3600 } });

    const dup = await fetch(`${host.baseUrl}/api/orchestrators/approval/client-1`, { method: 'POST', headers: fk(), body: '{"timeoutSeconds":1}' });
    expect(dup.status).toBe(409);
    expect(((await dup.json()) as { error: string }).error).toContain('already exists');

    const raise = await fetch(`${host.baseUrl}/api/orchestrations/client-1/events/Approve`, { method: 'POST', headers: fk(), body: JSON.stringify({ who: 'carol' }) });
    expect(raise.status).toBe(202);
    const done = await waitForStatus(host, 'client-1', isTerminal);
    expect(done.output).toEqual({ approved: true, by: { who: 'carol' } });

    await fetch(`${host.baseUrl}/api/orchestrators/waitForever/client-2`, { method: 'POST', headers: fk() });
    await waitForStatus(host, 'client-2', (s) => s.runtimeStatus === 'Running');
    const list = await fetch(`${host.baseUrl}/api/orchestrations?status=Running`, { headers: fk() });
    const running = (await list.json()) as { instanceId: string }[];
    expect(running.map((r) => r.instanceId)).toContain('client-2');
    const term = await fetch(`${host.baseUrl}/api/orchestrations/client-2?reason=bye`, { method: 'DELETE', headers: fk() });
    expect(term.status).toBe(202);
    const t = await waitForStatus(host, 'client-2', isTerminal);
    expect(t.runtimeStatus).toBe('Terminated');
    expect(t.output).toBe('bye');
  });
});
