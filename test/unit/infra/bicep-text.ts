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
