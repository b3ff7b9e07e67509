import { endpointCount, exposureCriticalPath, minimumWrites, policyExposure, POLICY_DINE_DELAY_MS, publicAccessWrites } from '../../../bench/critical-path';

const MODEL = { registryUpdate: 30_000, acrUpdate: 15_000, privateEndpointCreate: 30_000, zoneGroupCreate: 10_000 };

describe('the exposure window the latency model allows', () => {
  it('lockdown-first: only the parallel public-access writes, the slowest of them deciding', () => {
    const p = exposureCriticalPath(MODEL, { order: 'lockdown-first', regions: 1, lockdownAcr: true });
    expect(p.ms).toBe(30_000);
    expect(p.stages).toHaveLength(1);
    expect(p.chain).toContain('registry PUT 30 s');
    expect(p.chain).toContain('ACR PATCH 15 s');
  });

  it('the ACR decides when its PATCH is the slowest write, and drops out with LOCKDOWN_ACR=false', () => {
    const slowAcr = { ...MODEL, acrUpdate: 45_000 };
    expect(exposureCriticalPath(slowAcr, { order: 'lockdown-first', regions: 1, lockdownAcr: true }).ms).toBe(45_000);
    const noAcr = exposureCriticalPath(slowAcr, { order: 'lockdown-first', regions: 1, lockdownAcr: false });
    expect(noAcr.ms).toBe(30_000);
    expect(noAcr.chain).not.toContain('ACR');
  });

  it('endpoints-first: endpoints, then zone groups, then the lockdown, one after the other', () => {
    const p = exposureCriticalPath(MODEL, { order: 'endpoints-first', regions: 3, lockdownAcr: true });
    expect(p.ms).toBe(30_000 + 10_000 + 30_000);
    expect(p.stages.map((s) => s.ms)).toEqual([30_000, 10_000, 30_000]);
    expect(p.chain).toMatch(/^5 private endpoint PUTs in parallel \(30 s\) → 5 zone-group PUTs in parallel \(10 s\) → public access off/);
  });

  it('more regions add parallel work, not length', () => {
    for (const order of ['lockdown-first', 'endpoints-first'] as const) {
      expect(exposureCriticalPath(MODEL, { order, regions: 3, lockdownAcr: true }).ms).toBe(exposureCriticalPath(MODEL, { order, regions: 1, lockdownAcr: true }).ms);
    }
  });

  it('Azure Policy: the DeployIfNotExists delay, then the same lockdown', () => {
    const p = policyExposure(MODEL, { regions: 1, lockdownAcr: true });
    expect(p.ms).toBe(POLICY_DINE_DELAY_MS + 30_000);
    expect(POLICY_DINE_DELAY_MS).toBe(600_000);
  });
});

describe('the fewest writes that harden a fresh registry', () => {
  it('single region: 3 endpoint PUTs + 3 zone-group PUTs + 3 public-access writes', () => {
    expect(endpointCount({ regions: 1 })).toBe(3);
    expect(publicAccessWrites({ regions: 1, lockdownAcr: true })).toBe(3);
    expect(minimumWrites({ regions: 1, lockdownAcr: true })).toBe(9);
  });

  it('three regions: a blob endpoint and a storage PATCH per region; without the ACR lockdown one write less', () => {
    expect(minimumWrites({ regions: 3, lockdownAcr: true })).toBe(5 + 5 + 5);
    expect(minimumWrites({ regions: 3, lockdownAcr: false })).toBe(14);
  });
});
