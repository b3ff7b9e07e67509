/** startFuncHost in-process (as local/sandbox uses it), including its durable handle for tests. */
import path from 'node:path';
import { startFuncHost, type FuncHost } from '../../../local/func-host';
import { silentLogger } from '../../../local/func-host/types';
import { build, readEffects, tempDir } from './harness';

let host: FuncHost;
let effects: string;

beforeAll(async () => {
  const dir = tempDir('func-host-inproc');
  effects = path.join(dir, 'effects.jsonl');
  host = await startFuncHost({
    appDir: build().appDir,
    stateDir: path.join(dir, 'state'),
    port: 0,
    timeScale: 0.01,
    env: { SIDE_EFFECTS_FILE: effects, TICK_SCHEDULE: '0 0 0 1 1 *' },
    keys: { functionKeys: { default: 'fn-key' }, masterKey: 'master-key' },
    logger: silentLogger,
  });
});

afterAll(async () => {
  await host?.stop();
});

describe('in-process host', () => {
  it('loads the app with the stand-in and serves HTTP with the given keys', async () => {
    expect(host.registrations.map((r) => r.name)).toEqual(expect.arrayContaining(['hello', 'retryFlow', 'onEvent']));
    expect(await (await fetch(`${host.baseUrl}/api/hello/jest`)).text()).toBe('Hello, jest');
    expect((await fetch(`${host.baseUrl}/api/items/1`, { headers: { 'x-functions-key': 'fn-key' } })).status).toBe(200);
    expect((await fetch(`${host.baseUrl}/api/items/1`, { headers: { 'x-functions-key': 'nope' } })).status).toBe(401);
  });

  it('exposes durable.waitForStatus and runs an orchestration with retries', async () => {
    const res = await fetch(`${host.baseUrl}/durabletask/orchestrators/retryFlow/inproc-1`, { method: 'POST', body: '' });
    expect(res.status).toBe(202);
    const s = await host.durable.waitForStatus('inproc-1', (x) => x.runtimeStatus === 'Completed' || x.runtimeStatus === 'Failed', 20_000);
    expect(s.runtimeStatus).toBe('Completed');
    expect(s.output).toEqual({ a: 'inproc-1-a:ok@3', b: 'inproc-1-b:ok@1', own: 'Running' });
    expect(readEffects(effects).filter((e) => e.kind === 'flaky')).toHaveLength(4);
  });
});
