import { isoTime, recordOf } from '../../../src/shared/durable-status';

describe('a durable status record, read defensively', () => {
  it('isoTime answers a Date or a time string as ISO 8601', () => {
    expect(isoTime(new Date(Date.UTC(2026, 0, 2, 3, 4, 5)))).toBe('2026-01-02T03:04:05.000Z');
    expect(isoTime('2026-01-02T03:04:05Z')).toBe('2026-01-02T03:04:05.000Z');
  });

  it("isoTime answers '' for an absent or unreadable time instead of throwing or echoing it", () => {
    expect(isoTime(new Date(Number.NaN))).toBe('');
    expect(isoTime('yesterday-ish')).toBe('');
    expect(isoTime(undefined)).toBe('');
    expect(isoTime(1_767_000_000_000)).toBe('');
  });

  it('recordOf reads an object or its JSON text; anything else is no record', () => {
    expect(recordOf({ a: 1 })).toEqual({ a: 1 });
    expect(recordOf('{"registryId":"x"}')).toEqual({ registryId: 'x' });
    expect(recordOf('[1]')).toBeUndefined();
    expect(recordOf('{not json')).toBeUndefined();
    expect(recordOf(null)).toBeUndefined();
    expect(recordOf([{ a: 1 }])).toBeUndefined();
  });
});
