import { ARM_WRITE_BUDGET, effectiveCost, fullBucket, refill, take } from '../../../src/shared/token-bucket';

describe('token bucket (ARM writes: 200 + 10/s)', () => {
  const T0 = Date.parse('2026-03-01T10:00:00Z');

  it('starts full and pays costs until the burst is spent', () => {
    let state = fullBucket(ARM_WRITE_BUDGET, T0);
    for (let i = 0; i < 13; i++) {
      const r = take(state, ARM_WRITE_BUDGET, 15, T0);
      expect(r.ok).toBe(true);
      state = r.state;
    }
    expect(state.tokens).toBe(5);
    const r = take(state, ARM_WRITE_BUDGET, 15, T0);
    expect(r).toEqual({ ok: false, state: { tokens: 5, atMs: T0 }, waitMs: 1000 });
  });

  it('refills at 10 per second, never above capacity', () => {
    expect(refill({ tokens: 0, atMs: T0 }, ARM_WRITE_BUDGET, T0 + 2500).tokens).toBe(25);
    expect(refill({ tokens: 190, atMs: T0 }, ARM_WRITE_BUDGET, T0 + 60_000).tokens).toBe(200);
    // time never runs backwards
    expect(refill({ tokens: 3, atMs: T0 }, ARM_WRITE_BUDGET, T0 - 1000)).toEqual({ tokens: 3, atMs: T0 });
  });

  it('after the wait it names, the cost can be paid', () => {
    const first = take({ tokens: 2, atMs: T0 }, ARM_WRITE_BUDGET, 15, T0);
    expect(first.ok).toBe(false);
    const wait = first.ok ? 0 : first.waitMs;
    expect(wait).toBe(1300);
    expect(take(first.state, ARM_WRITE_BUDGET, 15, T0 + wait).ok).toBe(true);
    expect(take(first.state, ARM_WRITE_BUDGET, 15, T0 + wait - 100).ok).toBe(false);
  });

  it('charges a cost above the capacity as a full bucket (it could never be paid otherwise)', () => {
    expect(effectiveCost(500, ARM_WRITE_BUDGET)).toBe(200);
    expect(effectiveCost(-3, ARM_WRITE_BUDGET)).toBe(0);
    const r = take(fullBucket(ARM_WRITE_BUDGET, T0), ARM_WRITE_BUDGET, 500, T0);
    expect(r).toEqual({ ok: true, state: { tokens: 0, atMs: T0 } });
  });
});
