import { beginWait, endWait, MAX_WAITS, type StepWait } from '../../../src/hardening/domain/progress';

const T = (s: number): string => new Date(Date.UTC(2026, 2, 1, 10, 0, s)).toISOString();

describe('the waits a run records in its status', () => {
  it('a wait is begun open and ended at the time given', () => {
    const open = beginWait(undefined, 'dns', 'dns', T(0));
    expect(open).toEqual([{ step: 'dns', kind: 'dns', startedAt: T(0), count: 1 }]);
    expect(endWait(open, T(30))).toEqual([{ step: 'dns', kind: 'dns', startedAt: T(0), endedAt: T(30), count: 1 }]);
  });

  it('waits of the same kind following each other in a step are one entry, counted; another kind or step starts a new one', () => {
    let waits: StepWait[] = endWait(beginWait(undefined, 'approval', 'approval', T(0)), T(10));
    waits = endWait(beginWait(waits, 'approval', 'approval', T(11)), T(20));
    expect(waits).toEqual([{ step: 'approval', kind: 'approval', startedAt: T(0), endedAt: T(20), count: 2 }]);
    waits = endWait(beginWait(waits, 'approval', 'throttling', T(21)), T(25));
    waits = endWait(beginWait(waits, 'dns', 'dns', T(30)), T(40));
    expect(waits.map((w) => [w.step, w.kind, w.count])).toEqual([['approval', 'approval', 2], ['approval', 'throttling', 1], ['dns', 'dns', 1]]);
  });

  it('a reopened entry is open again until it ends', () => {
    const waits = beginWait(endWait(beginWait(undefined, 'dns', 'dns', T(0)), T(5)), 'dns', 'dns', T(6));
    expect(waits[0]?.endedAt).toBeUndefined();
    expect(endWait(waits, T(9))[0]?.endedAt).toBe(T(9));
  });

  it(`keeps at most ${MAX_WAITS} entries: a later wait that merges into none is not recorded, and ending it changes nothing`, () => {
    let waits: StepWait[] = [];
    for (let i = 0; i < MAX_WAITS; i++) waits = endWait(beginWait(waits, 'lockdown', i % 2 === 0 ? 'throttling' : 'access', T(i)), T(i));
    expect(waits).toHaveLength(MAX_WAITS);
    const more = endWait(beginWait(waits, 'dns', 'dns', T(50)), T(55));
    expect(more).toEqual(waits);
    // the last kind still merges
    const merged = beginWait(waits, 'lockdown', 'access', T(60));
    expect(merged).toHaveLength(MAX_WAITS);
    expect(merged[MAX_WAITS - 1]?.count).toBe(2);
  });

  it('ending without an open wait changes nothing', () => {
    const done = endWait(beginWait(undefined, 'read', 'provisioning', T(0)), T(1));
    expect(endWait(done, T(99))).toEqual(done);
    expect(endWait(undefined, T(1))).toEqual([]);
  });
});
