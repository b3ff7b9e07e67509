import { closestMatch, didYouMean } from '../../../src/shared/did-you-mean';

describe('did you mean', () => {
  const commands = ['plan', 'apply', 'verify-dns', 'status', 'sweep', 'egress-check', 'exfiltration', 'allow-sharing'];

  it.each([
    ['aply', 'apply'],
    ['APPLY', 'apply'],
    ['stauts', 'status'],
    ['verfy-dns', 'verify-dns'],
    ['exfiltraton', 'exfiltration'],
    ['sweeep', 'sweep'],
  ])('%s → %s', (typo, meant) => {
    expect(closestMatch(typo, commands)).toBe(meant);
  });

  it('guesses nothing for a word far from every candidate, or too short to tell', () => {
    expect(closestMatch('harden', commands)).toBeUndefined();
    expect(closestMatch('xyz', commands)).toBeUndefined();
    expect(closestMatch('p', commands)).toBeUndefined();
    expect(didYouMean('harden', commands)).toBe('');
  });

  it('phrases the guess with a prefix', () => {
    expect(didYouMean('prot', ['port', 'once'], '--')).toBe(" (did you mean '--port'?)");
  });
});
