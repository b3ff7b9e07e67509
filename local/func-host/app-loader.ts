/** Loads a compiled Functions app the way the host does: the files named by `main` in package.json. */
import fs from 'node:fs';
import path from 'node:path';
import { expandGlob, hasGlobChars } from './glob';
import { installStandIn, type StandIn } from './functions-core-stand-in';
import { nativeModule } from './native';
import type { FunctionCallback, FunctionMetadata, Logger, Registration } from './types';

export interface LoadedApp {
  registrations: Map<string, Registration>;
  standIn: StandIn;
  files: string[];
  /** forgets the modules the app brought into the process (call when the host stops) */
  unload(): void;
}

export function resolveEntryFiles(appDir: string): string[] {
  const pkgPath = path.join(appDir, 'package.json');
  const pkg: unknown = JSON.parse(fs.readFileSync(pkgPath, 'utf8'));
  const main = typeof pkg === 'object' && pkg !== null && 'main' in pkg ? (pkg as { main: unknown }).main : undefined;
  if (typeof main !== 'string' || main.trim() === '') throw new Error(`${pkgPath} has no "main"`);
  const files = hasGlobChars(main) ? expandGlob(appDir, main) : [path.resolve(appDir, main)];
  const existing = files.filter((f) => fs.existsSync(f));
  if (existing.length === 0) throw new Error(`"main" (${main}) in ${pkgPath} matches no file — is the app built?`);
  return existing;
}

function toRegistration(metadata: FunctionMetadata, handler: FunctionCallback): Registration {
  const entry = Object.entries(metadata.bindings).find(
    ([, b]) => b.direction === 'in' && typeof b.type === 'string' && /trigger$/i.test(b.type),
  );
  if (!entry) throw new Error(`Function "${metadata.name}" has no trigger binding`);
  const [triggerName, trigger] = entry;
  return { name: metadata.name, metadata, handler, triggerName, trigger, triggerType: String(trigger.type) };
}

export function loadApp(appDir: string, logger: Logger): LoadedApp {
  return loadAppFiles(appDir, resolveEntryFiles(appDir), logger);
}

/** Loads the given entry files of the app in `appDir` (what `main` names, or a build's files picked by hand: the bench and tests compare builds). */
export function loadAppFiles(appDir: string, files: string[], logger: Logger): LoadedApp {
  const standIn = installStandIn();
  const registrations = new Map<string, Registration>();
  standIn.collector = {
    logger,
    registerFunction(metadata, handler) {
      const key = metadata.name.toLowerCase();
      if (registrations.has(key)) throw new Error(`A function named "${metadata.name}" is already registered`);
      registrations.set(key, toRegistration(metadata, handler));
    },
    unregisterFunction(name) {
      registrations.delete(name.toLowerCase());
    },
  };
  const root = path.resolve(appDir) + path.sep;
  const unload = loadFresh(nativeModule(), root, files);
  if (!standIn.programmingModel && registrations.size > 0) {
    throw new Error('The app registered functions but set no programming model (is @azure/functions v4 in use?)');
  }
  if (registrations.size === 0) {
    logger.warn(
      `No function registered by ${files.length} file(s). If @azure/functions was required before the host started, it is in "test mode"; start the host first.`,
    );
  }
  return { registrations, standIn, files, unload };
}

type ModuleCache = Record<string, unknown>;

/**
 * Loads the app's entry files as a fresh worker process would, and returns the unload: it drops
 * every module that came into the process since (the app's files and every package it loaded,
 * eagerly or later), so module-level state does not cross from one host to the next in the same
 * process. MSAL, for one, keeps the managed-identity source — with its endpoint — and its token
 * cache in static fields: a host started after another one stopped would otherwise ask the first
 * one's identity endpoint. Modules the process had before (the test runner's, the host's own)
 * are left alone.
 */
function loadFresh(Module: ReturnType<typeof nativeModule>, root: string, files: string[]): () => void {
  const cache = (Module as unknown as { _cache: ModuleCache })._cache;
  for (const key of Object.keys(cache)) {
    if (key.startsWith(root) && !key.includes(`${path.sep}node_modules${path.sep}`)) delete cache[key];
  }
  const before = new Set(Object.keys(cache));
  const load = Module.createRequire(path.join(root, 'package.json'));
  for (const file of files) load(file);
  return () => {
    for (const key of Object.keys(cache)) if (!before.has(key)) delete cache[key];
  };
}
