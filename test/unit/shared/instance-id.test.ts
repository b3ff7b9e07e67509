import { createHash } from 'node:crypto';
import { fnv1a32Hex, sha256Hex, utf8Bytes } from '../../../src/shared/hash';
import { instanceIdFor } from '../../../src/shared/instance-id';
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
