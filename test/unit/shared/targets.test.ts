import { LockdownError } from '../../../src/shared/errors';
import { listEachSubscription } from '../../../src/shared/targets';

const A = '00000000-0000-0000-0000-0000000000a1';
const B = '00000000-0000-0000-0000-0000000000b2';
const C = '00000000-0000-0000-0000-0000000000c3';

describe('listing each target subscription (the fleet overview and the fleet reports)', () => {
  it('a line per subscription in their order, counting the field asked for, and everything listed in that order', async () => {
    // the first subscription answers last: its items still come first
    let releaseA: () => void = () => undefined;
    const aDone = new Promise<void>((resolve) => (releaseA = resolve));
    const lists: Record<string, () => Promise<string[]>> = {
      [A]: async () => { await aDone; return ['a1', 'a2']; },
      [B]: async () => { releaseA(); return ['b1']; },
    };
    const got = await listEachSubscription({ subscriptionIds: [A, B], concurrency: 2, counted: 'registries' }, (s) => (lists[s] as () => Promise<string[]>)());
    expect(got.subscriptions).toEqual([{ subscriptionId: A, ok: true, registries: 2 }, { subscriptionId: B, ok: true, registries: 1 }]);
    expect(got.items).toEqual(['a1', 'a2', 'b1']);
  });

  it('a subscription that cannot be listed is a failed line with its coded error; the others are still listed', async () => {
    const got = await listEachSubscription({ subscriptionIds: [A, B, C], concurrency: 1, counted: 'workspaces', maxErrorLength: 10 }, async (s) => {
      if (s === B) throw new LockdownError('ARM.FORBIDDEN', 'the app may not list the workspaces of this subscription');
      return [s];
    });
    expect(got.subscriptions).toEqual([
      { subscriptionId: A, ok: true, workspaces: 1 },
      { subscriptionId: B, ok: false, workspaces: 0, error: { code: 'ARM.FORBIDDEN', message: 'the app ma' } },
      { subscriptionId: C, ok: true, workspaces: 1 },
    ]);
    expect(got.items).toEqual([A, C]);
  });
});
