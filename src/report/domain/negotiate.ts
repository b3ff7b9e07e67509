/**
 * Content negotiation of the report routes (pure): HTML when the caller asks for it by name
 * (`?format=html`) or its Accept header prefers text/html to JSON (a browser's does); JSON
 * otherwise — no Accept, `*\/*` (curl, scripts), or application/json. An error answers in the
 * same format, unless Accept names application/json: a client that asks for the page with
 * `?format=html` but accepts JSON (the CLI) gets its errors as JSON.
 */
export type ReportFormat = 'html' | 'json';

interface MediaRange {
  type: string;
  q: number;
}

function ranges(accept: string): MediaRange[] {
  return accept.split(',').slice(0, 50).map((part) => {
    const [type = '', ...params] = part.split(';').map((p) => p.trim().toLowerCase());
    const qParam = params.find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    return { type, q: Number.isFinite(q) ? Math.min(1, Math.max(0, q)) : 0 };
  }).filter((r) => r.type !== '');
}

/** The quality the Accept header gives a media type (the most specific range that matches; 0 when none). */
function qualityOf(list: readonly MediaRange[], type: string): number {
  const [major] = type.split('/');
  const exact = list.find((r) => r.type === type);
  if (exact) return exact.q;
  const sub = list.find((r) => r.type === `${major}/*`);
  if (sub) return sub.q;
  return list.find((r) => r.type === '*/*')?.q ?? 0;
}

export function reportFormat(accept: string | null | undefined, format: ReportFormat | undefined): ReportFormat {
  if (format !== undefined) return format;
  if (accept === null || accept === undefined || accept.trim() === '') return 'json';
  const list = ranges(accept);
  const html = Math.max(qualityOf(list, 'text/html'), qualityOf(list, 'application/xhtml+xml'));
  const json = qualityOf(list, 'application/json');
  // HTML only when named (a wildcard alone means JSON); a tie with JSON named as well goes to JSON
  const namesHtml = list.some((r) => r.type === 'text/html' || r.type === 'application/xhtml+xml');
  const namesJson = list.some((r) => r.type === 'application/json');
  return namesHtml && html > 0 && (html > json || (html === json && !namesJson)) ? 'html' : 'json';
}

/** The format of an error answer: JSON when Accept names application/json, else the report's format. */
export function errorFormat(accept: string | null | undefined, reportFormatted: ReportFormat): ReportFormat {
  return accept !== null && accept !== undefined && ranges(accept).some((r) => r.type === 'application/json' && r.q > 0) ? 'json' : reportFormatted;
}
