/** Pure pieces of the host: NCRONTAB, the main glob, route templates, retry delays, action flattening. */
import fs from 'node:fs';
import path from 'node:path';
import { flattenActions, retryDelayMs } from '../../../local/func-host/durable/engine';
import { expandGlob } from '../../../local/func-host/glob';
import { matchRoute, parseRouteTemplate } from '../../../local/func-host/http-trigger';
import { nextOccurrence, parseSchedule } from '../../../local/func-host/ncrontab';
import { tempDir } from './harness';

describe('NCRONTAB', () => {
  const next = (expr: string, from: string): string => nextOccurrence(parseSchedule(expr), new Date(from)).toISOString();

  it('reads six fields, seconds first', () => {
    expect(next('*/15 * * * * *', '2024-01-01T00:00:07Z')).toBe('2024-01-01T00:00:15.000Z');
    expect(next('0 */5 * * * *', '2024-01-01T00:03:00Z')).toBe('2024-01-01T00:05:00.000Z');
    expect(next('0 30 9 * * MON-FRI', '2024-01-06T10:00:00Z')).toBe('2024-01-08T09:30:00.000Z'); // Sat → Mon
    expect(next('0 0 0 1 JAN *', '2024-03-01T00:00:00Z')).toBe('2025-01-01T00:00:00.000Z');
    expect(next('5,10 0 12 * * *', '2024-01-01T12:00:05Z')).toBe('2024-01-01T12:00:10.000Z');
  });

  it('accepts a TimeSpan interval and rejects five-field expressions', () => {
    expect(next('00:01:30', '2024-01-01T00:00:00Z')).toBe('2024-01-01T00:01:30.000Z');
    expect(() => parseSchedule('*/5 * * * *')).toThrow(/six fields/);
    expect(() => parseSchedule('61 * * * * *')).toThrow(/out of range/);
  });
});

describe('main glob', () => {
  it('expands *, ** and braces like the host', () => {
    const dir = tempDir('func-host-glob');
    for (const f of ['dist/src/functions/a.js', 'dist/src/functions/b.js', 'dist/src/functions/b.js.map', 'dist/src/other/c.js', 'dist/src/functions/deep/d.js']) {
      fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      fs.writeFileSync(path.join(dir, f), '');
    }
    const rel = (files: string[]): string[] => files.map((f) => path.relative(dir, f).split(path.sep).join('/'));
    expect(rel(expandGlob(dir, 'dist/src/functions/*.js'))).toEqual(['dist/src/functions/a.js', 'dist/src/functions/b.js']);
    expect(rel(expandGlob(dir, 'dist/src/**/*.js'))).toEqual(['dist/src/functions/a.js', 'dist/src/functions/b.js', 'dist/src/functions/deep/d.js', 'dist/src/other/c.js']);
    expect(rel(expandGlob(dir, 'dist/src/{other/c.js,functions/a.js}'))).toEqual(['dist/src/functions/a.js', 'dist/src/other/c.js']);
  });

  it('expands one * to one folder level (one functions.js per feature folder, nothing deeper)', () => {
    const dir = tempDir('func-host-glob-main');
    for (const f of ['dist/src/hardening/functions.js', 'dist/src/sweep/functions.js', 'dist/src/hardening/activities/functions.js', 'dist/src/main.js']) {
      fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      fs.writeFileSync(path.join(dir, f), '');
    }
    expect(expandGlob(dir, 'dist/src/*/functions.js').map((f) => path.relative(dir, f).split(path.sep).join('/'))).toEqual(['dist/src/hardening/functions.js', 'dist/src/sweep/functions.js']);
  });
});

describe('route templates', () => {
  it('matches parameters, optional parameters, constraints and catch-all', () => {
    const r = parseRouteTemplate('registries/{sub}/{rg}/{name}/harden/{action?}');
    expect(matchRoute(r, ['registries', 's', 'g', 'n', 'harden'])).toEqual({ sub: 's', rg: 'g', name: 'n' });
    expect(matchRoute(r, ['Registries', 's', 'g', 'n', 'harden', 'approve'])).toEqual({ sub: 's', rg: 'g', name: 'n', action: 'approve' });
    expect(matchRoute(r, ['registries', 's', 'g'])).toBeUndefined();
    expect(matchRoute(parseRouteTemplate('items/{id:int}'), ['items', 'x'])).toBeUndefined();
    expect(matchRoute(parseRouteTemplate('files/{*rest}'), ['files', 'a', 'b'])).toEqual({ rest: 'a/b' });
  });
});

describe('durable helpers', () => {
  it('computes DTFx retry delays with backoff and a cap', () => {
    const o = { firstRetryIntervalInMilliseconds: 1000, maxNumberOfAttempts: 5, backoffCoefficient: 2, maxRetryIntervalInMilliseconds: 5000 };
    expect([1, 2, 3, 4].map((n) => retryDelayMs(o, n))).toEqual([1000, 2000, 4000, 5000]);
  });

  it('flattens compound actions and skips a task re-yielded inside a new compound', () => {
    const a = { actionType: 0, functionName: 'A' };
    const t = { actionType: 5, fireAt: new Date() };
    const b = { actionType: 0, functionName: 'B' };
    const leaves = flattenActions([[{ actionType: 11, compoundActions: [a, t] }, { actionType: 12, compoundActions: [a, b] }]]);
    expect(leaves.map((l) => l.action)).toEqual([a, t, b]);
  });
});
