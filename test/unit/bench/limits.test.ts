import { AZURE_LIMITS, bucketSeconds, burstMinimum, countCalls, emptyCounts, scaleLimits, windowSeconds, type RegistryCalls } from '../../../bench/limits';

const SUB1 = '00000000-0000-0000-0000-0000000000a1';
const SUB2 = '00000000-0000-0000-0000-0000000000a2';

/** One fresh one-region registry as the product runs it: registry PUT, storage and ACR PATCH in its own subscription; 3 endpoints and 3 zone groups in the network's. */
function freshRegistry(): RegistryCalls {
  const own = emptyCounts();
  own.other = { write: 3, read: 8 };
  const network = emptyCounts();
  network.network = { write: 6, read: 10 };
  return { own, network };
}

describe('the least time the limits allow a burst', () => {
  it('a token bucket: what exceeds the capacity, at the refill rate', () => {
    expect(bucketSeconds(150, { capacity: 200, refillPerSecond: 10 })).toBe(0);
    expect(bucketSeconds(1500, { capacity: 200, refillPerSecond: 10 })).toBe(130);
  });

  it('a sliding window: a window\'s worth at once, each further worth one window later', () => {
    const w = { limit: 1000, windowSeconds: 300 };
    expect(windowSeconds(1000, w)).toBe(0);
    expect(windowSeconds(1001, w)).toBe(300);
    expect(windowSeconds(2000, w)).toBe(300);
    expect(windowSeconds(2001, w)).toBe(600);
  });

  it('counts calls by the provider whose limits they meet: Network, Private DNS, anything else', () => {
    const c = countCalls([
      { method: 'PUT', path: `/subscriptions/${SUB1}/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints/pe` },
      { method: 'GET', path: `/subscriptions/${SUB1}/providers/Microsoft.Network/locations/westeurope/operations/1` },
      { method: 'GET', path: `/subscriptions/${SUB1}/resourceGroups/rg/providers/Microsoft.Network/privateDnsZones/z/ALL` },
      { method: 'PATCH', path: `/subscriptions/${SUB1}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st` },
    ]);
    expect(c).toEqual({ network: { read: 1, write: 1 }, dns: { read: 1, write: 0 }, other: { read: 0, write: 1 } });
  });

  it('200 registries over two subscriptions: the endpoint subscription\'s Network writes bind (1,200 against 1,000 per 5 minutes)', () => {
    const m = burstMinimum(freshRegistry(), { [SUB1]: 100, [SUB2]: 100 }, SUB1, AZURE_LIMITS);
    expect(m.binding).toMatchObject({ limit: 'Network RP writes', subscription: SUB1, calls: 1200, seconds: 300 });
    // ARM's write bucket of that subscription: 100 × 3 own + 200 × 6 network = 1,500 writes, (1500 − 200) ÷ 10/s
    expect(m.costs.find((c) => c.limit === 'ARM writes' && c.subscription === SUB1)).toMatchObject({ calls: 1500, seconds: 130 });
    // the other subscription carries only its own registries' calls
    expect(m.costs.find((c) => c.limit === 'ARM writes' && c.subscription === SUB2)).toMatchObject({ calls: 300, seconds: 10 });
    expect(m.costs.find((c) => c.limit === 'Network RP writes' && c.subscription === SUB2)).toMatchObject({ calls: 0, seconds: 0 });
    expect(m.costs.map((c) => c.seconds)).toEqual([...m.costs.map((c) => c.seconds)].sort((a, b) => b - a));
  });

  it('limits scaled with a smaller burst keep its shape: 20 registries against a tenth of every limit bind the same way', () => {
    const m = burstMinimum(freshRegistry(), { [SUB1]: 10, [SUB2]: 10 }, SUB1, scaleLimits(AZURE_LIMITS, 0.1));
    expect(m.binding).toMatchObject({ limit: 'Network RP writes', calls: 120, seconds: 300 });
    expect(scaleLimits(AZURE_LIMITS, 0.1).networkWrites).toEqual({ limit: 100, windowSeconds: 300 });
  });

  it('reads bind when a registry makes many: ARM\'s read bucket', () => {
    const heavy = freshRegistry();
    heavy.network.network.read = 60;
    const m = burstMinimum(heavy, { [SUB1]: 100, [SUB2]: 100 }, SUB1, AZURE_LIMITS);
    // 100 × 8 + 200 × 60 = 12,800 reads: (12800 − 250) ÷ 25/s = 502 s
    expect(m.binding).toMatchObject({ limit: 'ARM reads', subscription: SUB1, calls: 12_800, seconds: 502 });
  });
});
