import { fitNetworkName, isNetworkName } from '../../../src/shared/azure-names';

describe('fitNetworkName: names Azure accepts, shortened deterministically', () => {
  it('keeps a name that fits and follows the rule', () => {
    expect(fitNetworkName('pe-reg-blob-eastus', 64)).toBe('pe-reg-blob-eastus');
    expect(fitNetworkName('x', 80)).toBe('x');
  });

  it('replaces characters outside the rule and repairs the ends', () => {
    expect(fitNetworkName('a b/c', 80)).toBe('a-b-c');
    const dotted = fitNetworkName('name.', 80);
    expect(isNetworkName(dotted, 80)).toBe(true);
    expect(dotted).toMatch(/^name-[0-9a-f]{8}$/);
    expect(isNetworkName(fitNetworkName('-lead', 80), 80)).toBe(true);
  });

  it('cuts a long name to head + "-" + an FNV-1a hash of the whole: same input, same name; other input, other name', () => {
    const long = `aml-lockdown-allow-${'AzureMachineLearning.'.repeat(4)}Tcp`;
    const fitted = fitNetworkName(long, 76);
    expect(fitted.length).toBeLessThanOrEqual(76);
    expect(isNetworkName(fitted, 76)).toBe(true);
    expect(fitted).toMatch(/^aml-lockdown-allow-AzureMachineLearning.+-[0-9a-f]{8}$/);
    expect(fitNetworkName(long, 76)).toBe(fitted);
    expect(fitNetworkName(long.replace('Tcp', 'Udp'), 76)).not.toBe(fitted);
  });
});
