/**
 * The deploy package as azd and Core Tools build it: every file of the project that `.funcignore`
 * (gitignore rules) does not exclude. Run after `npm run build`: it reads the built dist/.
 */
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import ignore, { type Ignore } from 'ignore';

const ROOT = path.resolve(__dirname, '../../..');
/** Never walked: installed on deploy (remote build) or never part of a checkout. */
const NOT_WALKED = new Set(['node_modules', '.git']);
const DEV_ONLY_FOLDERS = ['local', 'test', 'bench', 'scripts', 'tools', 'infra'];

function rules(): Ignore {
  return ignore().add(fs.readFileSync(path.join(ROOT, '.funcignore'), 'utf8'));
}

/** Files in the package, relative POSIX paths; a directory the rules exclude is not entered, as git does. */
function packageFiles(root: string, ig: Ignore): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const entry of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (rel === '' && NOT_WALKED.has(entry.name)) continue;
      if (entry.isDirectory()) {
        if (!ig.ignores(`${child}/`)) walk(child);
      } else if (!ig.ignores(child)) out.push(child);
    }
  };
  walk('');
  return out.sort();
}

/** `require("…")` specifiers of a compiled CommonJS module (tsc emits only literal ones here). */
function requires(source: string): string[] {
  return [...source.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1] as string);
}

function resolveLocal(fromFile: string, spec: string): string {
  const base = path.resolve(path.dirname(fromFile), spec);
  const found = [base, `${base}.js`, `${base}.json`, path.join(base, 'index.js')].find((p) => fs.existsSync(p) && fs.statSync(p).isFile());
  if (!found) throw new Error(`${path.relative(ROOT, fromFile)} requires '${spec}', which is not in dist/`);
  return found;
}

/** The entry points package.json `main` names: `dist/src/*\/functions.js` (one `*`, as the host expands it). */
function mainEntries(main: string): string[] {
  const [dir, file] = [path.posix.dirname(path.posix.dirname(main)), path.posix.basename(main)];
  if (path.posix.basename(path.posix.dirname(main)) !== '*') throw new Error(`main '${main}' is not of the form <dir>/*/<file>`);
  return fs
    .readdirSync(path.join(ROOT, dir), { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(ROOT, dir, e.name, file)))
    .map((e) => path.join(ROOT, dir, e.name, file));
}

/** Follows the require graph from the entries: the project files loaded, and the packages named. */
function loadGraph(entries: string[]): { files: string[]; packages: string[] } {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const queue = [...entries];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    if (!file.endsWith('.js')) continue;
    for (const spec of requires(fs.readFileSync(file, 'utf8'))) {
      if (spec.startsWith('.')) queue.push(resolveLocal(file, spec));
      else if (!spec.startsWith('node:') && !builtinModules.includes(spec)) packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] as string));
    }
  }
  return { files: [...seen].map((f) => path.relative(ROOT, f).split(path.sep).join('/')).sort(), packages: [...packages].sort() };
}

describe('the deploy package (.funcignore under gitignore rules) holds the app and nothing else', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { main: string; dependencies: Record<string, string> };

  beforeAll(() => {
    if (!fs.existsSync(path.join(ROOT, 'dist/src/main.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  });

  it('every module the `main` glob loads, following its requires inside dist/, is in the package', () => {
    const files = new Set(packageFiles(ROOT, rules()));
    const entries = mainEntries(pkg.main);
    expect(entries.length).toBeGreaterThanOrEqual(5);
    const graph = loadGraph(entries);
    expect(graph.files).toContain('dist/src/main.js');
    expect(graph.files.filter((f) => !files.has(f))).toEqual([]);
    expect(files.has('host.json')).toBe(true);
    expect(files.has('package.json')).toBe(true);
  });

  it('every package the app loads is a runtime dependency (devDependencies are not installed on deploy)', () => {
    const graph = loadGraph(mainEntries(pkg.main));
    expect(graph.packages.length).toBeGreaterThan(5);
    expect(graph.packages.filter((p) => !(p in pkg.dependencies))).toEqual([]);
  });

  it(`nothing from ${DEV_ONLY_FOLDERS.join('/, ')}/ or their dist/ copies is in it, nor sources, maps or local settings`, () => {
    const files = packageFiles(ROOT, rules());
    const devOnly = files.filter((f) => DEV_ONLY_FOLDERS.some((d) => f.startsWith(`${d}/`) || f.startsWith(`dist/${d}/`)));
    expect(devOnly).toEqual([]);
    expect(files.filter((f) => f.endsWith('.ts') || f.endsWith('.js.map') || f === 'local.settings.json')).toEqual([]);
  });

  it('the gitignore rule that broke it: an unanchored `src/` also matches dist/src/', () => {
    expect(ignore().add('src/').ignores('dist/src/main.js')).toBe(true);
    expect(ignore().add('/src/').ignores('dist/src/main.js')).toBe(false);
    expect(rules().ignores('dist/src/hardening/functions.js')).toBe(false);
    expect(rules().ignores('src/hardening/functions.ts')).toBe(true);
  });
});
