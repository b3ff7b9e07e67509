import { logJson, logText, MAX_LOG_VALUE } from '../../../src/shared/log-text';
import { decideOnEvent } from '../../../src/hardening/domain/registry-event';

describe('log text: caller and event values on their way into a log line', () => {
  it('escapes line breaks and other control characters, so one value cannot forge a second line', () => {
    const forged = 'Microsoft.Resources.ResourceWriteSuccess\n2026-01-01 INFO started hardening of everything\r\u2028\u0085\u001b[31m\u007f';
    const text = logText(forged);
    expect([...text].filter((c) => c.charCodeAt(0) < 0x20 || (c.charCodeAt(0) >= 0x7f && c.charCodeAt(0) <= 0x9f) || c === '\u2028')).toEqual([]);
    expect(text).toBe('Microsoft.Resources.ResourceWriteSuccess\\n2026-01-01 INFO started hardening of everything\\r\\u2028\\u0085\\u001b[31m\\u007f');
  });

  it('cuts a long value and says by how much', () => {
    const text = logText('x'.repeat(100_000));
    expect(text.length).toBeLessThan(MAX_LOG_VALUE + 32);
    expect(text.endsWith(`…(+${100_000 - MAX_LOG_VALUE} chars)`)).toBe(true);
    expect(logText('short')).toBe('short');
    expect(logText('a'.repeat(10), 4)).toBe('aaaa…(+6 chars)');
  });

  it('does not split a surrogate pair when cutting', () => {
    const text = logText(`abc${'😀'.repeat(3)}`, 4);
    expect(text.startsWith('abc…')).toBe(true);
  });

  it('logJson: one line of valid JSON with every string cut, whatever the fields hold', () => {
    const line = logJson({ eventId: `a\nb${'y'.repeat(50_000)}`, nested: { op: 'c\u2028d' }, n: 3 });
    expect(line).not.toMatch(/[\n\r\u2028\u2029]/);
    expect(line.length).toBeLessThan(2 * MAX_LOG_VALUE);
    const back = JSON.parse(line) as { eventId: string; nested: { op: string }; n: number };
    expect(back.eventId.startsWith('a\nb')).toBe(true);
    expect(back.eventId).toMatch(/…\(\+\d+ chars\)$/);
    expect(back.nested.op).toBe('c\u2028d');
    expect(back.n).toBe(3);
  });

  it("the event decision's reasons carry the event's fields escaped and cut", () => {
    const base = { id: 'e1', topic: '/subscriptions/00000000-0000-0000-0000-0000000000a1', subject: '/x', eventTime: '2026-01-01T00:00:00Z' };
    const byType = decideOnEvent({ ...base, eventType: 'Other.Type\nFORGED LINE', data: {} });
    expect(byType).toMatchObject({ kind: 'ignore', reason: 'event type Other.Type\\nFORGED LINE' });
    const byOperation = decideOnEvent({ ...base, eventType: 'Microsoft.Resources.ResourceWriteSuccess', data: { operationName: 'o'.repeat(100_000) } });
    expect(byOperation.kind).toBe('ignore');
    expect((byOperation as { reason: string }).reason.length).toBeLessThan(MAX_LOG_VALUE + 64);
  });
});
