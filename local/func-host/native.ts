/**
 * The real `module` and `process` built-ins. Under jest, `require('module')` is jest's subclass
 * of Module (its require and resolver bypass Module._resolveFilename) and `process.env` is a
 * copy; the host needs the real ones so the app loads through Node's own loader with the
 * stand-in in place, and sees the app settings. Outside jest these are the plain built-ins.
 */
import Module from 'node:module';

interface ModuleStatics {
  _resolveFilename?: unknown;
  _cache?: unknown;
  createRequire?: unknown;
}

function looksLikeModule(value: unknown): value is typeof Module {
  if (typeof value !== 'function') return false;
  const m = value as unknown as ModuleStatics;
  return typeof m._resolveFilename === 'function' && typeof m.createRequire === 'function' && typeof m._cache === 'object' && m._cache !== null;
}

let cachedModule: typeof Module | undefined;
let cachedProcess: NodeJS.Process | undefined;

export function nativeModule(): typeof Module {
  if (cachedModule) return cachedModule;
  let candidate: typeof Module = Module;
  // jest's wrapper is `class extends Module`: its prototype is the real Module.
  const parent: unknown = Object.getPrototypeOf(candidate);
  if (looksLikeModule(parent)) candidate = parent;
  cachedModule = candidate;
  return candidate;
}

export function nativeProcess(): NodeJS.Process {
  cachedProcess ??= nativeModule().createRequire(__filename)('process') as NodeJS.Process;
  return cachedProcess;
}

function assign(env: NodeJS.ProcessEnv, key: string, value: string | undefined): void {
  if (value === undefined) delete env[key];
  else env[key] = value;
}

/**
 * Sets an app setting where the app (loaded natively) will see it; returns the undo, so a
 * stopped host leaves the process environment as it found it (tests run several hosts per process).
 */
export function setEnv(key: string, value: string): () => void {
  const real = nativeProcess();
  const before = process.env[key];
  const realBefore = real.env[key];
  process.env[key] = value;
  if (real !== process) real.env[key] = value;
  return () => {
    assign(process.env, key, before);
    if (real !== process) assign(real.env, key, realBefore);
  };
}
