/**
 * The deploy package: the folder `npm run build` makes (tools/package-app.ts), which azd deploys
 * as it is (azure.yaml `dist`) and the local host loads. It holds the bundle and what the
 * Functions host reads, nothing that does not run, nothing to install; the bundle has no code
 * only devDependencies bring; it registers the same functions as the unbundled (tsc) build of the
 * same sources, without reading the Azure SDK's file (loaded on first use). Run after `npm run build`.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { bundledPackageDirs, DEFERRED, externalRequires, filesUnder, metafileOf, NOTICES_FILE, packageDirsOf, packageLayout, WORKER_PROVIDED } from '../../../tools/package-app';
import { Activities, HttpFunctions, Orchestrators, RunActivities, SweepActivities, Triggers } from '../../../src/shared/names';
import { Routes } from '../../../src/http/routes';
import { appPackageDir } from '../../../local/world';

const ROOT = path.resolve(__dirname, '../../..');
const layout = packageLayout(ROOT);
const readJson = (file: string): Record<string, unknown> => JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;

interface Registered {
  name: string;
  triggerType: string;
  metadata: { bindings: Record<string, Record<string, unknown>> } & Record<string, unknown>;
}

/** A fresh process loads the app through the local host's loader and lists what was registered (every function: SWEEP_SCHEDULE set). */
function registered(target: { packageDir: string } | { files: string[] }): Registered[] {
  const loader = path.join(ROOT, 'dist', 'local', 'func-host', 'app-loader.js');
  const load = 'packageDir' in target ? `loader.loadApp(${JSON.stringify(target.packageDir)}, quiet)` : `loader.loadAppFiles(${JSON.stringify(ROOT)}, ${JSON.stringify(target.files)}, quiet)`;
  const script = `const loader = require(${JSON.stringify(loader)});
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const app = ${load};
process.stdout.write(JSON.stringify([...app.registrations.values()].map((r) => ({ name: r.name, triggerType: r.triggerType, metadata: r.metadata }))));`;
  const out = execFileSync(process.execPath, ['-e', script], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', SWEEP_SCHEDULE: '0 0 3 * * *' }, encoding: 'utf8' });
  return (JSON.parse(out) as Registered[]).sort((a, b) => a.name.localeCompare(b.name));
}

describe('the deploy package (dist/package) holds the bundled app and nothing else', () => {
  beforeAll(() => {
    if (!fs.existsSync(path.join(layout.dir, 'package.json')) || !fs.existsSync(path.join(ROOT, 'dist/src/main.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  });

  it('is what azd deploys, as it is: azure.yaml dist names the folder, remoteBuild false (nothing installed on deploy)', () => {
    const yaml = fs.readFileSync(path.join(ROOT, 'azure.yaml'), 'utf8');
    const service = /^ {2}api:\n((?: {4}.*\n)+)/m.exec(yaml)?.[1] ?? '';
    expect(service).toMatch(/^ {4}host: function$/m);
    const dist = /^ {4}dist: (\S+)$/m.exec(service)?.[1];
    expect(dist && path.resolve(ROOT, dist)).toBe(layout.dir);
    expect(service).toMatch(/^ {4}remoteBuild: false$/m);
    // azd reads the project's .funcignore to check remoteBuild: one excluding node_modules contradicts `false`
    expect(fs.existsSync(path.join(ROOT, '.funcignore'))).toBe(false);
  });

  it('holds the bundle, the file it loads on first use, host.json, its package.json and the licence notices: no source map, no node_modules, no sources', () => {
    expect(Object.keys(filesUnder(layout.dir)).sort()).toEqual([NOTICES_FILE, layout.bundle, layout.deferred, 'host.json', 'package.json'].sort());
    expect(fs.readFileSync(path.join(layout.dir, 'host.json'), 'utf8')).toBe(fs.readFileSync(path.join(ROOT, 'host.json'), 'utf8'));
    for (const file of [layout.bundle, layout.deferred]) expect(fs.readFileSync(path.join(layout.dir, file), 'utf8')).not.toMatch(/sourceMappingURL/);
    // the map is kept beside the package, to read a stack trace from the deployed app's logs
    expect(path.dirname(layout.sourcemap)).not.toBe(layout.dir);
    const map = JSON.parse(fs.readFileSync(layout.sourcemap, 'utf8')) as { sources: string[] };
    const functionsSource = map.sources.find((s) => s.endsWith('src/hardening/functions.ts'));
    expect(functionsSource && path.resolve(path.dirname(layout.sourcemap), functionsSource)).toBe(path.join(ROOT, 'src/hardening/functions.ts'));
    const deferredMap = JSON.parse(fs.readFileSync(layout.deferredSourcemap, 'utf8')) as { sources: string[] };
    expect(deferredMap.sources.map((s) => path.resolve(path.dirname(layout.deferredSourcemap), s))).toContain(path.join(ROOT, DEFERRED.source));
    expect(fs.readFileSync(path.join(layout.dir, NOTICES_FILE), 'utf8')).toMatch(/^durable-functions \d+\.\d+\.\d+ \(MIT\)$/m);
  });

  it("its package.json names the bundle and depends on nothing; the project's main names the same file", () => {
    const deployed = readJson(path.join(layout.dir, 'package.json'));
    expect(deployed.main).toBe(layout.bundle);
    for (const key of ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies', 'scripts', 'bin']) expect(deployed).not.toHaveProperty(key);
    const project = readJson(path.join(ROOT, 'package.json'));
    expect(path.resolve(ROOT, String(project.main))).toBe(path.join(layout.dir, layout.bundle));
    expect(deployed.name).toBe(project.name);
    // the local host of the sandbox and the tests runs this folder
    expect(appPackageDir(ROOT)).toBe(layout.dir);
  });

  it('bundles production dependencies only: no package a devDependency alone brings, no project code but src/', () => {
    const meta = metafileOf(layout);
    const dirs = bundledPackageDirs(meta);
    expect(dirs.length).toBeGreaterThan(20);
    const lock = readJson(path.join(ROOT, 'package-lock.json')) as { packages: Record<string, { dev?: boolean }> };
    expect(dirs.filter((d) => lock.packages[d] === undefined || lock.packages[d]?.dev === true)).toEqual([]);
    const devDependencies = Object.keys(readJson(path.join(ROOT, 'package.json')).devDependencies as Record<string, string>);
    expect(dirs.map((d) => String(readJson(path.join(ROOT, d, 'package.json')).name)).filter((n) => devDependencies.includes(n))).toEqual([]);
    const projectFiles = Object.keys(meta.inputs).filter((f) => !f.includes('node_modules/') && !f.startsWith('absent-in-production:') && !f.startsWith('deferred:'));
    expect(projectFiles.filter((f) => !f.startsWith('src/') && f !== '<stdin>')).toEqual([]);
    expect(projectFiles).toContain('src/hardening/functions.ts');
  });

  it('requires at run time only node built-ins, the module the Functions worker provides and its own file loaded on first use', () => {
    const externals = externalRequires(metafileOf(layout));
    expect(externals).toContain('@azure/functions-core');
    expect(externals.filter((s) => !s.startsWith('node:') && !builtinModules.includes(s) && !(WORKER_PROVIDED as readonly string[]).includes(s))).toEqual([`./${layout.deferred}`]);
  });

  it("keeps the Azure SDK's clients and credential chain out of the bundle: a cold start registers every function without reading their file, which has them", () => {
    const meta = metafileOf(layout);
    const name = (dir: string): string => String(readJson(path.join(ROOT, dir, 'package.json')).name);
    const sdk = ['@azure/arm-network', '@azure/arm-storage', '@azure/arm-containerregistry', '@azure/arm-resources', '@azure/arm-machinelearning', '@azure/eventgrid', '@azure/identity', '@azure/msal-node'];
    expect(packageDirsOf(meta, layout.bundle).map(name).filter((n) => sdk.includes(n))).toEqual([]);
    expect(packageDirsOf(meta, layout.deferred).map(name)).toEqual(expect.arrayContaining(sdk));

    const loader = path.join(ROOT, 'dist', 'local', 'func-host', 'app-loader.js');
    const script = `const loader = require(${JSON.stringify(loader)});
const app = loader.loadApp(${JSON.stringify(layout.dir)}, { debug() {}, info() {}, warn() {}, error() {} });
const loaded = Object.keys(require.cache).filter((f) => f.startsWith(${JSON.stringify(layout.dir + path.sep)})).map((f) => f.slice(${layout.dir.length + 1}));
const sdk = require(${JSON.stringify(path.join(layout.dir, layout.deferred))});
process.stdout.write(JSON.stringify({ registered: app.registrations.size, loaded, exports: Object.keys(sdk).filter((k) => typeof sdk[k] === 'function').sort() }));`;
    const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', SWEEP_SCHEDULE: '0 0 3 * * *' }, encoding: 'utf8' })) as { registered: number; loaded: string[]; exports: string[] };
    expect(out.registered).toBeGreaterThan(40);
    expect(out.loaded).toEqual([layout.bundle]);
    expect(out.exports).toEqual(['AzureMachineLearningWorkspaces', 'ContainerRegistryManagementClient', 'DefaultAzureCredential', 'EventGridPublisherClient', 'NetworkManagementClient', 'ResourceManagementClient', 'StorageManagementClient']);
  }, 60_000);

  it('registers every function of the app, each as the unbundled build of the same sources registers it', () => {
    const bundled = registered({ packageDir: layout.dir });
    const features = fs.readdirSync(path.join(ROOT, 'dist/src')).map((d) => path.join(ROOT, 'dist/src', d, 'functions.js')).filter((f) => fs.existsSync(f));
    expect(features.length).toBeGreaterThanOrEqual(5);
    const unbundled = registered({ files: features });

    const expected = [Orchestrators, Activities, RunActivities, SweepActivities, Triggers, HttpFunctions].flatMap((g) => Object.values(g) as string[]);
    expect(bundled.map((r) => r.name)).toEqual([...expected].sort((a, b) => a.localeCompare(b)));
    expect(bundled).toEqual(unbundled);
    for (const spec of Object.values(Routes)) {
      const trigger = Object.values(bundled.find((r) => r.name === spec.name)?.metadata.bindings ?? {}).find((b) => b.type === 'httpTrigger');
      expect({ name: spec.name, route: trigger?.route, methods: trigger?.methods }).toEqual({ name: spec.name, route: spec.route, methods: [spec.method] });
    }
    expect(bundled.find((r) => r.name === Triggers.onRegistryWrite)?.triggerType).toBe('eventGridTrigger');
    expect(bundled.find((r) => r.name === Triggers.sweepTimer)?.triggerType).toBe('timerTrigger');
  }, 60_000);
});
