import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CATALOG, ErrorCodes, httpStatusOf } from '../../../src/shared/error-codes';

const ROOT = join(__dirname, '..', '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('the one list of error codes', () => {
  const specs = Object.entries(ERROR_CATALOG);

  it('gives every code once, with an HTTP status and a remedy', () => {
    const codes = specs.map(([, s]) => s.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const [, spec] of specs) {
      expect(spec.code).toMatch(/^[A-Z][A-Z0-9_]*\.[A-Z][A-Z0-9_]*$/);
      expect(spec.status).toBeGreaterThanOrEqual(400);
      expect(spec.status).toBeLessThan(600);
      expect(spec.remedy.length).toBeGreaterThan(10);
    }
  });

  it('answers the status of a code, and 500 for a code outside the list', () => {
    expect(httpStatusOf(ErrorCodes.RUN_NOT_FOUND)).toBe(404);
    expect(httpStatusOf(ErrorCodes.REQUEST_BODY_TOO_LARGE)).toBe(413);
    expect(httpStatusOf(ErrorCodes.ARM_FORBIDDEN)).toBe(502);
    expect(httpStatusOf('NOT.A_CODE')).toBe(500);
  });

  it('is the only place that spells a code: no code literal anywhere else in src/', () => {
    const literal = /'[A-Z][A-Z0-9_]*\.[A-Z][A-Z0-9_]*'/g;
    const found = sources(join(ROOT, 'src'))
      .filter((f) => !f.endsWith(join('shared', 'error-codes.ts')))
      .flatMap((f) => (readFileSync(f, 'utf8').match(literal) ?? []).map((m) => `${f.slice(ROOT.length + 1)}: ${m}`));
    expect(found).toEqual([]);
  });

  it("is documented: docs/operations.md's table of every code says the same code, status and remedy", () => {
    const file = join(ROOT, 'docs', 'operations.md');
    const text = readFileSync(file, 'utf8');
    const from = text.indexOf('### Every code');
    const table = text.slice(from, text.indexOf('\n### ', from + 1));
    const rows = table
      .split('\n')
      .filter((l) => /^\| `[A-Z]/.test(l))
      .map((l) => l.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim().replace(/\\\|/g, '|')))
      .map(([code, status, remedy]) => ({ code: (code ?? '').replace(/`/g, ''), status: Number(status), remedy }));
    expect(rows).toEqual(specs.map(([, s]) => ({ code: s.code, status: s.status, remedy: s.remedy })));
  });
});
