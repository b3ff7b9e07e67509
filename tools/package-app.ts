/**
 * The deploy package, `npm run build`'s second step (after tsc): esbuild bundles the app — every
 * src/<feature>/functions.ts and all it imports, node_modules included — into minified CommonJS,
 * and writes the folder azd deploys (azure.yaml `dist`) and the local host loads:
 *
 *   app.js                    the bundle (no source map: the package holds only what runs)
 *   azure-sdk.js              src/azure/sdk.ts bundled on its own: the Azure SDK's clients and
 *                             credential chain, which src/azure/client-factory.ts loads on first use
 *   package.json              `main: "app.js"`, no dependencies (nothing to install on deploy)
 *   host.json                 the project's, unchanged
 *   THIRD-PARTY-NOTICES.txt   each bundled package's name, version and licence text
 *
 * The folder and the bundle's name come from the project's package.json `main`, so that the
 * Functions host, Core Tools at the project root and the local host (local/world.ts) all load
 * the same file. `@azure/functions-core` stays a run-time require: the Functions Node.js worker
 * provides it (@azure/functions registers every function through it).
 *
 * Why two files: a cold start reads and compiles all of app.js before the first function
 * registers, and the SDK's packages are about 60% of the code. esbuild keeps a dynamically
 * imported module in the same file (it defers running it, not compiling it), so the build makes
 * `import('./sdk')` a run-time `require('./azure-sdk.js')` and bundles that module apart. The
 * small packages both use (core-client, core-rest-pipeline, …, about 100 KB) are in both files:
 * nothing relies on their classes being one — isRestError falls back to the error's name, and
 * a credential or a pipeline policy is a plain object to the SDK.
 *
 * Beside the folder, not deployed (dist/package-build/): the source maps, to read a stack trace
 * from the deployed app's logs (the bundle's names are minified), and esbuild's metafile — what
 * went into the bundle, by input file — for the tests and the bench.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, posix, relative, resolve, sep } from 'node:path';
import { build, type BuildOptions, type Metafile, type Plugin } from 'esbuild';

/** The project root (from tools/ under jest, or from dist/tools compiled). */
export const PROJECT_ROOT = [resolve(__dirname, '..'), resolve(__dirname, '..', '..')].find((d) => existsSync(join(d, 'host.json'))) ?? process.cwd();

/** Provided by the Functions Node.js worker at run time, never bundled. */
export const WORKER_PROVIDED = ['@azure/functions-core'] as const;

export const NOTICES_FILE = 'THIRD-PARTY-NOTICES.txt';

/** The module loaded on first use, and the package's file it is built into. */
export const DEFERRED = { source: 'src/azure/sdk.ts', file: 'azure-sdk.js' } as const;

interface ProjectPackage {
  name: string;
  version: string;
  description?: string;
  license?: string;
  main: string;
  engines?: Record<string, string>;
  dependencies: Record<string, string>;
}

export interface PackageLayout {
  /** the folder azd deploys, e.g. <root>/dist/package */
  dir: string;
  /** the bundle's file name inside it, e.g. app.js */
  bundle: string;
  /** the file the bundle loads on first use (DEFERRED.file) */
  deferred: string;
  /** beside the folder, never deployed: the source maps and the metafile of the last build */
  buildDir: string;
  metafile: string;
  sourcemap: string;
  deferredSourcemap: string;
}

function projectPackage(root: string): ProjectPackage {
  return JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as ProjectPackage;
}

/** Where the package goes: the folder and file the project's `main` names (one file, no glob). */
export function packageLayout(root: string = PROJECT_ROOT): PackageLayout {
  const { main } = projectPackage(root);
  if (/[*?{}[\]]/.test(main) || !main.endsWith('.js') || !main.includes('/')) {
    throw new Error(`package.json "main" (${main}) must name the bundle, a single .js file inside the package folder, e.g. dist/package/app.js`);
  }
  const dir = resolve(root, posix.dirname(main));
  const bundle = posix.basename(main);
  // a sibling of the folder, at the same depth: the map's relative source paths hold from either
  const buildDir = `${dir}-build`;
  return { dir, bundle, deferred: DEFERRED.file, buildDir, metafile: join(buildDir, 'metafile.json'), sourcemap: join(buildDir, `${bundle}.map`), deferredSourcemap: join(buildDir, `${DEFERRED.file}.map`) };
}

/** The app's entry files: one functions.ts per feature folder of src/ (the registrations), in name order. */
export function entryModules(root: string = PROJECT_ROOT): string[] {
  return readdirSync(join(root, 'src'), { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(root, 'src', e.name, 'functions.ts')))
    .map((e) => `./${e.name}/functions`)
    .sort();
}

/** node_modules/a/node_modules/@b/c/x.js → node_modules/a/node_modules/@b/c (the innermost package's folder). */
export function packageDirOf(input: string): string | undefined {
  const parts = input.split('/');
  const at = parts.lastIndexOf('node_modules');
  if (at < 0) return undefined;
  const name = parts[at + 1]?.startsWith('@') ? 2 : 1;
  return parts.slice(0, at + 1 + name).join('/');
}

/** The bundled packages' folders (relative to the root, POSIX), from a metafile. */
export function bundledPackageDirs(meta: Metafile): string[] {
  return [...new Set(Object.keys(meta.inputs).map(packageDirOf).filter((d): d is string => d !== undefined))].sort();
}

/** What the bundle still requires at run time: node built-ins, the worker's module and the deferred file (`./azure-sdk.js`). */
export function externalRequires(meta: Metafile): string[] {
  const specs = new Set<string>();
  for (const output of Object.values(meta.outputs)) for (const i of output.imports) if (i.external) specs.add(i.path);
  return [...specs].sort();
}

/** The packages of one output file of a metafile (e.g. the bundle's alone), as bundledPackageDirs. */
export function packageDirsOf(meta: Metafile, outputFile: string): string[] {
  const output = Object.entries(meta.outputs).find(([f]) => f.endsWith(`/${outputFile}`))?.[1];
  if (!output) throw new Error(`the metafile has no output ${outputFile}`);
  return [...new Set(Object.keys(output.inputs).map(packageDirOf).filter((d): d is string => d !== undefined))].sort();
}

function isBuiltin(spec: string): boolean {
  return spec.startsWith('node:') || builtinModules.includes(spec);
}

function licenceText(dir: string): string {
  const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\..*)?$/i.test(f));
  return file ? readFileSync(join(dir, file), 'utf8').trim() : '(the package ships no licence file; its package.json names the licence above)';
}

function notices(root: string, dirs: string[]): string {
  const parts = dirs.map((d) => {
    const p = JSON.parse(readFileSync(join(root, d, 'package.json'), 'utf8')) as { name: string; version: string; license?: string };
    return `${p.name} ${p.version} (${p.license ?? 'licence not stated'})\n\n${licenceText(join(root, d))}`;
  });
  return `Third-party software bundled in this package's app.js (${dirs.length} packages)\n\n${parts.join(`\n\n${'-'.repeat(72)}\n\n`)}\n`;
}

/** The packages package-lock.json marks dev-only ("dev": true): `npm ci --omit=dev` does not install them. */
export function devOnlyPackageDirs(root: string = PROJECT_ROOT): Set<string> {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
  return new Set(Object.entries(lock.packages).filter(([dir, p]) => dir !== '' && p.dev === true).map(([dir]) => dir));
}

const ABSENT = 'absent-in-production';

/**
 * A package only devDependencies bring (e.g. supports-color, which `debug` requires inside a
 * try) is not installed in production, so it is not bundled either: its require throws
 * MODULE_NOT_FOUND as it would there, instead of the bundle holding — and behaving with — code
 * the deployed app never had.
 */
function leaveOutDevOnly(root: string, devOnly: Set<string>, left: Set<string>): Plugin {
  return {
    name: 'leave-out-dev-only',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData === ABSENT || isBuiltin(args.path) || (WORKER_PROVIDED as readonly string[]).includes(args.path)) return undefined;
        const resolved = await b.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: ABSENT });
        const dir = resolved.path ? packageDirOf(relative(root, resolved.path).split(sep).join('/')) : undefined;
        if (dir === undefined || !devOnly.has(dir)) return undefined;
        left.add(args.path);
        return { path: args.path, namespace: ABSENT };
      });
      b.onLoad({ filter: /.*/, namespace: ABSENT }, (args) => ({
        contents: `const e = new Error(${JSON.stringify(`Cannot find module '${args.path}' (only devDependencies need it: not installed in production)`)}); e.code = 'MODULE_NOT_FOUND'; throw e;`,
        loader: 'js',
      }));
    },
  };
}

/**
 * In the bundle, the dynamic `import()` of DEFERRED.source becomes a `require` of the package's
 * DEFERRED.file, run when first imported — a `require`, as in the tsc build: an `import()` of a
 * file would go through Node's ESM loader, whose cache the local host cannot clear between hosts
 * (local/func-host/app-loader.ts). A static import of the module would put it back into the
 * bundle, so it fails the build.
 */
function deferModule(root: string): Plugin {
  const source = join(root, DEFERRED.source);
  const file = `./${DEFERRED.file}`;
  return {
    name: 'defer-module',
    setup(b) {
      b.onResolve({ filter: /^\.\.?\// }, (args) => {
        if (args.namespace === 'deferred') return args.path === file ? { path: file, external: true } : undefined;
        if (resolve(args.resolveDir, `${args.path}.ts`) !== source && resolve(args.resolveDir, args.path) !== source) return undefined;
        if (args.kind !== 'dynamic-import') {
          return { errors: [{ text: `${relative(root, args.importer)} imports ${DEFERRED.source} statically: only a dynamic import() keeps it out of the bundle (import its types with \`import type\`)` }] };
        }
        return { path: file, namespace: 'deferred' };
      });
      b.onLoad({ filter: /.*/, namespace: 'deferred' }, () => ({ contents: `module.exports = require(${JSON.stringify(file)});`, loader: 'js', resolveDir: root }));
    },
  };
}

export interface PackageResult {
  layout: PackageLayout;
  /** file name → bytes, every file of the folder */
  files: Record<string, number>;
  bytes: number;
  packages: number;
  /** packages required by bundled code but only devDependencies bring: left out, as in production */
  leftOut: string[];
  /** packages in the deferred file only (loaded on first use), and those in both files */
  deferredOnly: string[];
  inBoth: string[];
}

/** Bytes of every file under a folder (relative POSIX names). */
export function filesUnder(dir: string): Record<string, number> {
  const out: Record<string, number> = {};
  const walk = (rel: string): void => {
    for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(child);
      else out[child] = statSync(join(dir, child)).size;
    }
  };
  walk('');
  return out;
}

/** Builds the deploy package folder from the sources (tsc has type-checked them in the same `npm run build`). */
export async function buildPackage(root: string = PROJECT_ROOT): Promise<PackageResult> {
  const layout = packageLayout(root);
  const pkg = projectPackage(root);
  for (const d of [layout.dir, layout.buildDir]) {
    rmSync(d, { recursive: true, force: true });
    mkdirSync(d, { recursive: true });
  }
  const leftOut = new Set<string>();
  const options = {
    absWorkingDir: root,
    tsconfig: join(root, 'tsconfig.build.json'),
    // a node_modules that is a link (a git worktree sharing another checkout's) keeps its path
    // under the root, where package-lock.json names its packages (the dev-only ones are left out)
    preserveSymlinks: true,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    // the ESM build of a package where it has one: what the app does not use is left out
    mainFields: ['module', 'main'],
    external: [...WORKER_PROVIDED],
    // names minified too (keeping them costs about a tenth of the cold load): the source map
    // beside the package reads a stack trace; nothing in the app or its packages relies on a
    // function's or class's own name beyond log and span text
    minify: true,
    // written without a sourceMappingURL comment, then moved out of the folder
    sourcemap: 'external',
    sourcesContent: false,
    // the licences go to THIRD-PARTY-NOTICES.txt, whole, rather than as scattered comments
    legalComments: 'none',
    metafile: true,
    logLevel: 'silent',
  } satisfies BuildOptions;
  const devOnly = devOnlyPackageDirs(root);
  const [main, deferred] = await Promise.all([
    build({
      ...options,
      stdin: { contents: entryModules(root).map((m) => `import '${m}';`).join('\n'), resolveDir: join(root, 'src'), sourcefile: 'app.ts', loader: 'ts' },
      outfile: join(layout.dir, layout.bundle),
      plugins: [deferModule(root), leaveOutDevOnly(root, devOnly, leftOut)],
    }),
    build({ ...options, entryPoints: [join(root, DEFERRED.source)], outfile: join(layout.dir, layout.deferred), plugins: [leaveOutDevOnly(root, devOnly, leftOut)] }),
  ]);
  const warnings = [...main.warnings, ...deferred.warnings];
  if (warnings.length > 0) {
    throw new Error(`esbuild warned (a warning here may be a module missing at run time):\n${warnings.map((w) => `- ${w.text} (${w.location?.file ?? '?'}:${w.location?.line ?? '?'})`).join('\n')}`);
  }
  const metafile: Metafile = { inputs: { ...main.metafile.inputs, ...deferred.metafile.inputs }, outputs: { ...main.metafile.outputs, ...deferred.metafile.outputs } };
  const unexpected = externalRequires(metafile).filter((s) => !isBuiltin(s) && !(WORKER_PROVIDED as readonly string[]).includes(s) && s !== `./${layout.deferred}`);
  if (unexpected.length > 0) throw new Error(`the bundle would require ${unexpected.join(', ')} at run time, which the package does not hold`);
  // what the deferred module imports itself (the SDK's packages) must not be in the bundle too
  const deferredDirect = new Set((metafile.inputs[DEFERRED.source]?.imports ?? []).map((i) => packageDirOf(i.path)).filter((d): d is string => d !== undefined));
  const mainDirs = packageDirsOf(metafile, layout.bundle);
  const leaked = mainDirs.filter((d) => deferredDirect.has(d));
  if (leaked.length > 0) throw new Error(`${leaked.join(', ')} went into ${layout.bundle} as well as ${layout.deferred}: something in src/ imports it statically (only ${DEFERRED.source} may; import its types with \`import type\`)`);
  const deferredDirs = packageDirsOf(metafile, layout.deferred);
  const dirs = bundledPackageDirs(metafile);

  renameSync(join(layout.dir, `${layout.bundle}.map`), layout.sourcemap);
  renameSync(join(layout.dir, `${layout.deferred}.map`), layout.deferredSourcemap);
  copyFileSync(join(root, 'host.json'), join(layout.dir, 'host.json'));
  const deployed = {
    name: pkg.name,
    version: pkg.version,
    ...(pkg.description ? { description: pkg.description } : {}),
    private: true,
    ...(pkg.license ? { license: pkg.license } : {}),
    main: layout.bundle,
    ...(pkg.engines ? { engines: pkg.engines } : {}),
  };
  writeFileSync(join(layout.dir, 'package.json'), `${JSON.stringify(deployed, null, 2)}\n`);
  writeFileSync(join(layout.dir, NOTICES_FILE), notices(root, dirs));
  writeFileSync(layout.metafile, JSON.stringify(metafile));
  const files = filesUnder(layout.dir);
  return {
    layout, files, bytes: Object.values(files).reduce((a, b) => a + b, 0), packages: dirs.length, leftOut: [...leftOut].sort(),
    deferredOnly: deferredDirs.filter((d) => !mainDirs.includes(d)), inBoth: deferredDirs.filter((d) => mainDirs.includes(d)),
  };
}

const MB = 1024 * 1024;

if (require.main === module) {
  buildPackage().then(
    (r) => {
      const list = Object.entries(r.files).map(([f, b]) => `${f} ${(b / MB).toFixed(2)} MB`).join(', ');
      const deferred = `${r.deferredOnly.length} of them only in ${r.layout.deferred} (loaded on first use), ${r.inBoth.length} in both files (${r.inBoth.map((d) => d.replace(/^.*node_modules\//, '')).join(', ')})`;
      process.stdout.write(`deploy package ${relative(PROJECT_ROOT, r.layout.dir).split(sep).join('/')}/: ${(r.bytes / MB).toFixed(2)} MB (${list}); ${r.packages} packages bundled, ${deferred}${r.leftOut.length ? `, left out as in production (only devDependencies bring them): ${r.leftOut.join(', ')}` : ''}\n`);
    },
    (e: unknown) => {
      process.stderr.write(`package-app: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}

/** The metafile of the last build: what went into the bundle, by input file. */
export function metafileOf(layout: PackageLayout): Metafile {
  return JSON.parse(readFileSync(layout.metafile, 'utf8')) as Metafile;
}
