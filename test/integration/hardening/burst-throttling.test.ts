import { runBurst } from '../../../bench/burst';

/**
 * A small burst under ARM throttling (the bench's section 3, shrunk): tiny token buckets make ARM
 * answer 429 again and again; with ARM_MAX_RETRIES=1 most reach the run, which must
 * wait it out with durable timers and call again — every registry ends Hardened, none Failed.
 */
describe('a burst of registries under ARM throttling', () => {
  it('hardens every registry although ARM answered 429s (waited out, not failed)', async () => {
    const sample = await runBurst({
      registries: 4,
      timeScale: 0.02,
      // simulated rates: at time scale 0.02 the buckets refill 5 writes and 20 reads per real second,
      // far below what 4 runs polling their LROs ask for, however slow the machine: 429s are certain
      bucket: { capacity: 5, refillPerSecond: 0.1 },
      reads: { capacity: 10, refillPerSecond: 0.4 },
      activitySlots: 8,
      timeoutMs: 150_000,
      settings: { ARM_MAX_RETRIES: '1' },
    });
    expect(sample.throttledReads + sample.throttledWrites).toBeGreaterThan(0);
    expect(sample.failed).toEqual([]);
    expect(sample.hardened).toBe(4);
  }, 200_000);
});
