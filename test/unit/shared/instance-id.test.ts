import { createHash } from 'node:crypto';
import { fnv1a32Hex, sha256Hex, utf8Bytes } from '../../../src/shared/hash';
import { applyRunIdFor, followUpIdFor, instanceIdFor, isRunIdOf, planRunIdFor } from '../../../src/shared/instance-id';
import { REGISTRY_ID } from '../../helpers/hardening-fixtures';

describe('sha256Hex / fnv1a32Hex (pure)', () => {
  it.each(['', 'abc', 'a'.repeat(55), 'a'.repeat(56), 'a'.repeat(64), 'x'.repeat(1000), 'ümlaut ✓ 𝄞', REGISTRY_ID])('sha256 matches node:crypto for %j', (text) => {
    expect(sha256Hex(text)).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
  });

  it('encodes UTF-8 like TextEncoder, lone surrogates included', () => {
    for (const text of ['héllo', '𝄞', '\ud800x']) expect(Array.from(utf8Bytes(text))).toEqual(Array.from(new TextEncoder().encode(text)));
  });

  it('fnv1a32 has the reference values', () => {
    expect(fnv1a32Hex('')).toBe('811c9dc5');
    expect(fnv1a32Hex('a')).toBe('e40c292c');
    expect(fnv1a32Hex('foobar')).toBe('bf9cf968');
  });
});

describe('instanceIdFor', () => {
  it('is stable across casing and trailing slashes', () => {
    const id = instanceIdFor(REGISTRY_ID);
    expect(instanceIdFor(REGISTRY_ID.toUpperCase())).toBe(id);
    expect(instanceIdFor(`${REGISTRY_ID}//`)).toBe(id);
    expect(instanceIdFor(` ${REGISTRY_ID} `)).toBe(id);
  });

  it('is readable, short and free of characters durable ids forbid', () => {
    const id = instanceIdFor(REGISTRY_ID);
    expect(id).toMatch(/^harden-reg1-[0-9a-f]{16}$/);
    expect(id).toBe(`harden-reg1-${createHash('sha256').update(REGISTRY_ID.toLowerCase()).digest('hex').slice(0, 16)}`);
    const long = instanceIdFor(REGISTRY_ID.replace('reg1', 'R'.repeat(33)));
    expect(long.length).toBeLessThanOrEqual(100);
    expect(long).not.toMatch(/[/\\#?]/);
  });

  it('differs between registries of the same name in other groups', () => {
    expect(instanceIdFor(REGISTRY_ID)).not.toBe(instanceIdFor(REGISTRY_ID.replace('rg-ml', 'rg-ml2')));
  });
});

describe('the ids of a registry\'s runs: apply lock, apply runs, plan runs, follow-ups', () => {
  const AT = new Date('2026-01-02T03:04:05.678Z');

  it('an apply run is the lock id plus its start time and a nonce; a plan run has a prefix of its own', () => {
    const lock = instanceIdFor(REGISTRY_ID);
    expect(applyRunIdFor(REGISTRY_ID, AT, 'ab12')).toBe(`${lock}-20260102T030405678Z-ab12`);
    expect(planRunIdFor(REGISTRY_ID, AT, 'ab12')).toBe(`plan-${lock.slice('harden-'.length)}-20260102T030405678Z-ab12`);
    expect(followUpIdFor(applyRunIdFor(REGISTRY_ID, AT, 'ab12'))).toBe(`${lock}-20260102T030405678Z-ab12-next`);
    expect(() => applyRunIdFor(REGISTRY_ID, AT, 'xyz!')).toThrow(/nonce/);
  });

  it('every id stays within 100 characters and free of characters durable ids forbid, for the longest names', () => {
    const long = REGISTRY_ID.replace('reg1', 'R'.repeat(33));
    for (const id of [followUpIdFor(applyRunIdFor(long, AT, 'ffff')), planRunIdFor(long, AT, 'ffff')]) {
      expect(id.length).toBeLessThanOrEqual(100);
      expect(id).not.toMatch(/[/\\#?]/);
    }
  });

  it('tells the runs of a registry from everything else', () => {
    const run = applyRunIdFor(REGISTRY_ID, AT, '0000');
    expect(isRunIdOf(REGISTRY_ID, instanceIdFor(REGISTRY_ID))).toBe(true);
    expect(isRunIdOf(REGISTRY_ID.toUpperCase(), run)).toBe(true);
    expect(isRunIdOf(REGISTRY_ID, planRunIdFor(REGISTRY_ID, AT, '0000'))).toBe(true);
    expect(isRunIdOf(REGISTRY_ID, followUpIdFor(run))).toBe(false);
    expect(isRunIdOf(REGISTRY_ID, `${instanceIdFor(REGISTRY_ID)}-x`)).toBe(false);
    expect(isRunIdOf(REGISTRY_ID.replace('rg-ml', 'rg-ml2'), run)).toBe(false);
  });
});
