import path from 'node:path';
import { compareVersions, versionMismatch } from '../../../local/func-host/durable/versioning';
import { getStatus, isTerminal, isWaiting, raiseGo, startBuild, startFlow, tempDir, waitForStatus, waitUntil, type VersionedHost } from './versioned-host';

describe('version comparison (DurableTask.Core CompareVersions)', () => {
  it('orders empty, System.Version and other strings as the extension does', () => {
    expect(compareVersions('', null)).toBe(0);
    expect(compareVersions('', '1')).toBeLessThan(0);
    expect(compareVersions('1', undefined)).toBeGreaterThan(0);
    expect(compareVersions('1.10', '1.9')).toBeGreaterThan(0); // numeric: both parse as System.Version
    expect(compareVersions('1.0', '1.0.0')).toBeLessThan(0); // absent build component is -1
    expect(compareVersions('10', '9')).toBeLessThan(0); // "10" is no System.Version: ordinal string order
    expect(compareVersions('V1-beta', 'v1-BETA')).toBe(0); // case-insensitive
  });

  it('names both versions when a worker may not run an instance', () => {
    expect(versionMismatch('1', { defaultVersion: '2', matchStrategy: 'Strict', failureStrategy: 'Fail' })).toBe("The orchestration version '1' does not match the worker version '2'.");
    expect(versionMismatch('3', { defaultVersion: '2', matchStrategy: 'CurrentOrOlder', failureStrategy: 'Reject' })).toBe("The orchestration version '3' is greater than the worker version '2'.");
    expect(versionMismatch('1', { defaultVersion: '2', matchStrategy: 'CurrentOrOlder', failureStrategy: 'Reject' })).toBeUndefined();
    expect(versionMismatch('3', { defaultVersion: '2', matchStrategy: 'None', failureStrategy: 'Fail' })).toBeUndefined();
  });
});

describe('orchestration versioning across a deploy (build 1 → build 2 on the same state)', () => {
  let host: VersionedHost | undefined;
  afterEach(async () => {
    await host?.stop();
    host = undefined;
  });

  /** Starts `id` on build 1 and stops the host while it waits for 'Go'. */
  async function startOnBuild1(stateDir: string, id: string, strategies: Parameters<typeof startBuild>[2]): Promise<void> {
    host = await startBuild(1, stateDir, strategies);
    expect(await startFlow(host, id)).toBe(202);
    const s = await waitForStatus(host, id, isWaiting);
    expect(s.historyEvents?.find((e) => e.EventType === 'TaskCompleted')?.FunctionName).toBe('stepA');
    await host.stop();
    host = undefined;
  }

  it('CurrentOrOlder: build 2 finishes a version-1 instance along the old shape, and stamps new ones "2"', async () => {
    const dir = tempDir('func-host-ver-a');
    const stateDir = path.join(dir, 'state');
    const strategies = { versionMatchStrategy: 'CurrentOrOlder', versionFailureStrategy: 'Reject' } as const;
    await startOnBuild1(stateDir, 'ver-a', strategies);

    host = await startBuild(2, stateDir, strategies);
    expect(await raiseGo(host, 'ver-a', 'go')).toBe(202);
    const done = await waitForStatus(host, 'ver-a', isTerminal);
    expect(done.runtimeStatus).toBe('Completed');
    expect(done.output).toEqual({ build: 2, version: '1', shape: 'old', steps: ['A(first)', 'B(go)'] });

    expect(await startFlow(host, 'ver-a-new')).toBe(202);
    await waitForStatus(host, 'ver-a-new', isWaiting);
    await raiseGo(host, 'ver-a-new', 'go');
    const fresh = await waitForStatus(host, 'ver-a-new', isTerminal);
    expect(fresh.output).toEqual({ build: 2, version: '2', shape: 'new', steps: ['A(P(first))', 'go'] });
  });

  it('Strict + Fail: the version-1 instance fails naming both versions; a new start of the same id runs as "2"', async () => {
    const dir = tempDir('func-host-ver-b');
    const stateDir = path.join(dir, 'state');
    const strategies = { versionMatchStrategy: 'Strict', versionFailureStrategy: 'Fail' } as const;
    await startOnBuild1(stateDir, 'ver-b', strategies);

    host = await startBuild(2, stateDir, strategies);
    expect(await raiseGo(host, 'ver-b', 'go')).toBe(202);
    const failed = await waitForStatus(host, 'ver-b', isTerminal);
    expect(failed.runtimeStatus).toBe('Failed');
    expect(String(failed.output)).toContain("The orchestration version '1' does not match the worker version '2'.");
    // failed before the orchestrator ran: stepB was never scheduled
    expect(failed.historyEvents?.some((e) => e.FunctionName === 'stepB')).toBe(false);

    expect(await startFlow(host, 'ver-b')).toBe(202);
    await waitForStatus(host, 'ver-b', isWaiting);
    await raiseGo(host, 'ver-b', 'again');
    const rerun = await waitForStatus(host, 'ver-b', isTerminal);
    expect(rerun.runtimeStatus).toBe('Completed');
    expect(rerun.output).toEqual({ build: 2, version: '2', shape: 'new', steps: ['A(P(first))', 'again'] });
  });

  it('Strict + Reject: build 2 leaves the version-1 instance untouched; build 1 later finishes it', async () => {
    const dir = tempDir('func-host-ver-c');
    const stateDir = path.join(dir, 'state');
    const strategies = { versionMatchStrategy: 'Strict', versionFailureStrategy: 'Reject' } as const;
    await startOnBuild1(stateDir, 'ver-c', strategies);

    host = await startBuild(2, stateDir, strategies);
    const before = await getStatus(host, 'ver-c');
    expect(await raiseGo(host, 'ver-c', 'go')).toBe(202);
    const h = host;
    await waitUntil(() => h.stderr().includes("Orchestration 'ver-c' (versionedFlow) rejected"), 'the rejection');
    expect(h.stderr()).toContain("The orchestration version '1' does not match the worker version '2'.");
    const after = await getStatus(host, 'ver-c');
    expect(after.runtimeStatus).toBe('Running');
    expect(after.output).toBeNull();
    expect(after.historyEvents).toEqual(before.historyEvents); // nothing was appended: no EventRaised, no ExecutionCompleted
    await host.stop();

    // the rejected work item (the 'Go' event) is still queued: a worker of version 1 runs it
    host = await startBuild(1, stateDir, strategies);
    const done = await waitForStatus(host, 'ver-c', isTerminal);
    expect(done.runtimeStatus).toBe('Completed');
    expect(done.output).toEqual({ build: 1, version: '1', shape: 'old', steps: ['A(first)', 'B(go)'] });
  });
});
