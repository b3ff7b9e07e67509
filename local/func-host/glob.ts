/** A tiny glob expander for package.json `main` (supports `*`, `?`, `**`, `{a,b}`). */
import fs from 'node:fs';
import path from 'node:path';

export function hasGlobChars(pattern: string): boolean {
  return /[*?{[]/.test(pattern);
}

function expandBraces(pattern: string): string[] {
  const open = pattern.indexOf('{');
  if (open < 0) return [pattern];
  let depth = 0;
  for (let i = open; i < pattern.length; i++) {
    if (pattern[i] === '{') depth++;
    else if (pattern[i] === '}') {
      depth--;
      if (depth === 0) {
        const inner = pattern.slice(open + 1, i);
        const parts: string[] = [];
        let level = 0;
        let start = 0;
        for (let j = 0; j < inner.length; j++) {
          if (inner[j] === '{') level++;
          else if (inner[j] === '}') level--;
          else if (inner[j] === ',' && level === 0) {
            parts.push(inner.slice(start, j));
            start = j + 1;
          }
        }
        parts.push(inner.slice(start));
        const head = pattern.slice(0, open);
        const tail = pattern.slice(i + 1);
        return parts.flatMap((p) => expandBraces(head + p + tail));
      }
    }
  }
  return [pattern];
}

export function segmentToRegExp(segment: string): RegExp {
  let re = '^';
  for (const ch of segment) {
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else re += ch.replace(/[.+^$()|[\]\\]/g, '\\$&');
  }
  return new RegExp(re + '$');
}

function walk(dir: string, segments: string[], out: Set<string>): void {
  if (segments.length === 0) {
    out.add(dir);
    return;
  }
  const [head, ...rest] = segments as [string, ...string[]];
  if (head === '**') {
    walk(dir, rest, out);
    for (const entry of safeReaddir(dir)) {
      if (entry.isDirectory() && entry.name !== 'node_modules') walk(path.join(dir, entry.name), segments, out);
    }
    return;
  }
  if (!hasGlobChars(head)) {
    const next = path.join(dir, head);
    if (rest.length === 0 ? fs.existsSync(next) : isDirectory(next)) walk(next, rest, out);
    return;
  }
  const re = segmentToRegExp(head);
  for (const entry of safeReaddir(dir)) {
    if (!re.test(entry.name)) continue;
    const next = path.join(dir, entry.name);
    if (rest.length === 0) {
      if (entry.isFile()) out.add(next);
    } else if (entry.isDirectory()) {
      walk(next, rest, out);
    }
  }
}

function safeReaddir(dir: string): fs.Dirent[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Expands `pattern` (relative to baseDir, `/` separated) into existing files, sorted. */
export function expandGlob(baseDir: string, pattern: string): string[] {
  const out = new Set<string>();
  for (const p of expandBraces(pattern.replace(/\\/g, '/'))) {
    const segments = p.split('/').filter((s) => s !== '' && s !== '.');
    walk(path.resolve(baseDir), segments, out);
  }
  return [...out].filter((f) => isFile(f)).sort();
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}
