/**
 * Plain-text readers for the infra files. No Bicep compiler can run here, so the infra tests read
 * the .bicep sources as text: enough to check names, settings, filters and API versions.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export const ROOT = join(__dirname, '..', '..', '..');
export const INFRA = join(ROOT, 'infra');

export function read(path: string): string {
  return readFileSync(join(ROOT, path), 'utf8');
}

/** Every .bicep file under infra/, as [path relative to the repo root, text]. */
export function bicepFiles(dir = INFRA): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...bicepFiles(full));
    else if (name.endsWith('.bicep')) out.push([relative(ROOT, full).split('\\').join('/'), readFileSync(full, 'utf8')]);
  }
  return out;
}

/** The text without // comments (strings containing '//' such as URLs are kept). */
export function stripComments(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      let inString = false;
      for (let i = 0; i < line.length; i++) {
        const c = line[i];
        if (c === "'" && line[i - 1] !== '\\') inString = !inString;
        if (!inString && c === '/' && line[i + 1] === '/') return line.slice(0, i);
      }
      return line;
    })
    .join('\n');
}

/** The top-level keys of `var <name> = { ... }` (a multi-line object literal closed by `}` at column 0). */
export function objectVarKeys(text: string, varName: string): string[] {
  const lines = stripComments(text).split('\n');
  const start = lines.findIndex((l) => new RegExp(`^var\\s+${varName}\\s*=\\s*\\{\\s*$`).test(l));
  if (start < 0) throw new Error(`var ${varName} = { … } not found`);
  const keys: string[] = [];
  let depth = 1;
  for (const line of lines.slice(start + 1)) {
    if (depth === 1) {
      const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*:/.exec(line);
      if (m?.[1]) keys.push(m[1]);
    }
    depth += (line.match(/[{[]/g) ?? []).length - (line.match(/[}\]]/g) ?? []).length;
    if (depth <= 0) return keys;
  }
  throw new Error(`var ${varName} is not closed`);
}

/** `param <name> <type>` declarations. */
export function params(text: string): Array<{ name: string; type: string; secure: boolean }> {
  const out: Array<{ name: string; type: string; secure: boolean }> = [];
  const lines = stripComments(text).split('\n');
  lines.forEach((line, i) => {
    const m = /^param\s+([A-Za-z_][A-Za-z0-9_]*)\s+([A-Za-z]+)/.exec(line);
    if (m?.[1] && m[2]) out.push({ name: m[1], type: m[2], secure: /@secure\(\)/.test(lines[i - 1] ?? '') });
  });
  return out;
}

/** `output <NAME> <type> = …` declarations, with whether the line above says @secure(). */
export function outputs(text: string): Array<{ name: string; type: string; secure: boolean }> {
  const out: Array<{ name: string; type: string; secure: boolean }> = [];
  const lines = stripComments(text).split('\n');
  lines.forEach((line, i) => {
    const m = /^output\s+([A-Za-z_][A-Za-z0-9_]*)\s+([A-Za-z]+)/.exec(line);
    if (m?.[1] && m[2]) out.push({ name: m[1], type: m[2], secure: /@secure\(\)/.test(lines[i - 1] ?? '') });
  });
  return out;
}

/** Every 'Provider/type@api-version' a Bicep text declares (resources and existing references). */
export function resourceTypes(text: string): Array<{ type: string; apiVersion: string }> {
  const out: Array<{ type: string; apiVersion: string }> = [];
  for (const m of stripComments(text).matchAll(/'(Microsoft\.[A-Za-z]+\/[A-Za-z0-9/]+)@([0-9]{4}-[0-9]{2}-[0-9]{2}(?:-preview)?)'/g)) {
    if (m[1] && m[2]) out.push({ type: m[1], apiVersion: m[2] });
  }
  return out;
}

/** Every pinned registry module ('br/public:avm/...:version'). */
export function registryModules(text: string): string[] {
  return [...stripComments(text).matchAll(/'(br\/public:[^']+)'/g)].map((m) => m[1] ?? '');
}

/** The rows of a Markdown table under a heading (docs/deploy.md): first two back-quoted cells of each row. */
export function readmeTable(markdown: string, heading: string): Array<[string, string]> {
  const lines = markdown.split('\n');
  const start = lines.findIndex((l) => /^#{2,4}\s/.test(l) && l.replace(/^#+\s*/, '').trim() === heading);
  if (start < 0) throw new Error(`the document has no "${heading}" heading`);
  const rows: Array<[string, string]> = [];
  for (const line of lines.slice(start + 1)) {
    if (/^#{1,4}\s/.test(line)) break;
    const m = /^\|\s*`([^`]+)`\s*\|\s*`([^`]+)`\s*\|/.exec(line);
    if (m?.[1] && m[2]) rows.push([m[1], m[2]]);
  }
  return rows;
}

/** Depth change of a line: brackets outside strings. */
function depthOf(line: string): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\' && inString) { i++; continue; }
    if (c === "'") inString = !inString;
    else if (!inString && (c === '(' || c === '[' || c === '{')) depth++;
    else if (!inString && (c === ')' || c === ']' || c === '}')) depth--;
  }
  return depth;
}

/** The lines from `start` until its brackets are balanced again, joined with newlines. */
function balanced(lines: string[], start: number): string {
  let depth = 0;
  const out: string[] = [];
  for (let i = start; i < lines.length; i++) {
    out.push(lines[i] ?? '');
    depth += depthOf(lines[i] ?? '');
    if (depth <= 0) return out.join('\n');
  }
  throw new Error(`unbalanced brackets from line ${start + 1}`);
}

export interface Declarations {
  /** param name → default expression ('' when the parameter has no default) and its decorators. */
  params: Record<string, { type: string; default: string | undefined; decorators: string[] }>;
  /** var name → expression text (multi-line ones joined). */
  vars: Record<string, string>;
  /** module/resource symbol → its condition ('' when unconditional or a loop). */
  conditions: Record<string, string>;
}

/** The top-level declarations of a Bicep text. */
export function declarations(text: string): Declarations {
  const lines = stripComments(text).split('\n');
  const out: Declarations = { params: {}, vars: {}, conditions: {} };
  let decorators: string[] = [];
  lines.forEach((line, i) => {
    if (/^@/.test(line)) { decorators.push(line); return; }
    const p = /^param\s+([A-Za-z_]\w*)\s+([A-Za-z]+)(?:\s*=\s*(.*))?$/.exec(line);
    if (p?.[1] && p[2]) out.params[p[1]] = { type: p[2], default: p[3]?.trim(), decorators };
    const v = /^var\s+([A-Za-z_]\w*)\s*=\s*/.exec(line);
    if (v?.[1]) out.vars[v[1]] = balanced(lines, i).replace(/^var\s+[A-Za-z_]\w*\s*=\s*/, '');
    const m = /^(?:module|resource)\s+([A-Za-z_]\w*)\s+'[^']+'(?:\s+existing)?\s*=\s*(.*)$/.exec(line);
    if (m?.[1]) out.conditions[m[1]] = /^if\s*\((.*)\)\s*\{\s*$/.exec(m[2] ?? '')?.[1] ?? '';
    if (line.trim() !== '') decorators = [];
  });
  return out;
}

/**
 * The `key: expression` entries of an object block: the block opened on the first line matching
 * `opener` (e.g. /^var appSettings = \{/), or, with `nested`, the object of that key inside it
 * (e.g. 'params'). A value spanning several lines is joined.
 */
export function blockEntries(text: string, opener: RegExp, nested?: string): Array<[string, string]> {
  const lines = stripComments(text).split('\n');
  let start = lines.findIndex((l) => opener.test(l));
  if (start < 0) throw new Error(`no block matches ${opener}`);
  if (nested) {
    const end = start + balanced(lines, start).split('\n').length;
    const at = lines.slice(start + 1, end).findIndex((l) => new RegExp(`^\\s*${nested}\\s*:\\s*\\{\\s*$`).test(l));
    if (at < 0) throw new Error(`no ${nested}: { … } in the block of ${opener}`);
    start = start + 1 + at;
  }
  const entries: Array<[string, string]> = [];
  const block = balanced(lines, start).split('\n');
  for (let i = 1; i < block.length - 1; i++) {
    const m = /^\s*('[^']+'|[A-Za-z_]\w*)\s*:\s*(.*)$/.exec(block[i] ?? '');
    if (!m?.[1]) continue;
    const rest = balanced(block, i).replace(/^\s*('[^']+'|[A-Za-z_]\w*)\s*:\s*/, '');
    entries.push([m[1].replace(/^'|'$/g, ''), rest.trim()]);
    i += rest.split('\n').length - 1;
  }
  return entries;
}

/** A `resource` or `module` declaration: its condition, its loop, and the text of its body object. */
export interface Declared {
  symbol: string;
  /** 'Provider/type@version' of a resource, the path of a module */
  type: string;
  kind: 'resource' | 'module';
  existing: boolean;
  /** `= if (<condition>) {…}`: the condition text ('' when unconditional) */
  condition: string;
  /** `= [for <item> in <list>: {…}]` or `[for (<item>, <index>) in <list>: …]` */
  loop?: { item: string; index?: string; list: string };
  /** the body object, from its `{` to its `}` */
  body: string;
}

/** The index of the first `stop` character at bracket depth 0 outside strings, from `from`. */
function scanTo(text: string, from: number, stop: string): number {
  let depth = 0;
  let inString = false;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && inString) { i++; continue; }
    if (c === "'") { inString = !inString; continue; }
    if (inString) continue;
    if (depth === 0 && c === stop) return i;
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
  }
  throw new Error(`no '${stop}' at depth 0 in: ${text.slice(from, from + 80)}`);
}

/** Every top-level `resource`/`module` declaration of a Bicep text, by symbol. */
export function declaredResources(text: string): Record<string, Declared> {
  const lines = stripComments(text).split('\n');
  const out: Record<string, Declared> = {};
  lines.forEach((line, i) => {
    const m = /^(resource|module)\s+([A-Za-z_]\w*)\s+'([^']+)'(\s+existing)?\s*=\s*/.exec(line);
    if (!m?.[1] || !m[2] || !m[3]) return;
    let rest = balanced(lines, i).slice(m[0].length);
    let condition = '';
    let loop: Declared['loop'];
    const ifMatch = /^if\s*\(/.exec(rest);
    if (ifMatch) {
      const close = scanTo(rest, ifMatch[0].length, ')');
      condition = rest.slice(ifMatch[0].length, close).trim();
      rest = rest.slice(close + 1).trim();
    }
    const forMatch = /^\[for\s+(?:\(\s*([A-Za-z_]\w*)\s*,\s*([A-Za-z_]\w*)\s*\)|([A-Za-z_]\w*))\s+in\s+/.exec(rest);
    if (forMatch) {
      const colon = scanTo(rest, forMatch[0].length, ':');
      const item = forMatch[1] ?? forMatch[3] ?? '';
      loop = { item, list: rest.slice(forMatch[0].length, colon).trim(), ...(forMatch[2] ? { index: forMatch[2] } : {}) };
      rest = rest.slice(colon + 1).trim().replace(/\]\s*$/, '').trim();
    }
    out[m[2]] = { symbol: m[2], type: m[3], kind: m[1] as 'resource' | 'module', existing: !!m[4], condition, ...(loop ? { loop } : {}), body: rest };
  });
  return out;
}
