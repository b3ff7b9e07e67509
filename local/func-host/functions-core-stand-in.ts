/**
 * A stand-in for `@azure/functions-core`, the module the Node.js worker injects at run time.
 * `@azure/functions` (and durable-functions through it) hands every registration to
 * `registerFunction(metadata, handler)` and its programming model to `setProgrammingModel`.
 * The stand-in is one process-wide object (the library caches the module it required first);
 * each host points its `collector` at itself before it loads the app.
 */
import { nativeModule, nativeProcess } from './native';
import type { FunctionCallback, FunctionMetadata, Logger } from './types';
import { isRecord } from './types';

export const CORE_MODULE_NAME = '@azure/functions-core';
const STAND_IN_FILENAME = '/@azure/functions-core/local-func-host-stand-in.js';

export interface Disposable {
  dispose(): void;
}

/** The subset of the programming model interface the worker uses. */
export interface ProgrammingModel {
  name?: string;
  version?: string;
  getInvocationModel(coreCtx: unknown): InvocationModel;
}

export interface InvocationModel {
  getArguments(): Promise<{ context: unknown; inputs: unknown[] }>;
  invokeFunction(context: unknown, inputs: unknown[], handler: FunctionCallback): Promise<unknown>;
  getResponse(context: unknown, result: unknown): Promise<unknown>;
}

export type HookCallback = (context: Record<string, unknown>) => unknown;

export interface Collector {
  registerFunction(metadata: FunctionMetadata, handler: FunctionCallback): void;
  unregisterFunction(name: string): void;
  logger: Logger;
}

export interface StandIn {
  setProgrammingModel(model: ProgrammingModel): void;
  getProgrammingModel(): ProgrammingModel | undefined;
  registerFunction(metadata: unknown, handler: unknown): Disposable;
  registerHook(hookName: string, callback: HookCallback): Disposable;
  log(level: string, category: string, message: string): void;
  /** Host side (not part of the worker API). */
  collector: Collector | undefined;
  hooks: Map<string, Set<HookCallback>>;
  programmingModel: ProgrammingModel | undefined;
}

const HOOK_NAMES = new Set(['preInvocation', 'postInvocation', 'appStart', 'appTerminate', 'log']);

function createStandIn(): StandIn {
  const standIn: StandIn = {
    collector: undefined,
    hooks: new Map(),
    programmingModel: undefined,
    setProgrammingModel(model: ProgrammingModel): void {
      standIn.programmingModel = model;
    },
    getProgrammingModel(): ProgrammingModel | undefined {
      return standIn.programmingModel;
    },
    registerFunction(metadata: unknown, handler: unknown): Disposable {
      if (!isRecord(metadata) || typeof metadata.name !== 'string' || !isRecord(metadata.bindings)) {
        throw new Error('registerFunction: metadata must have a name and bindings');
      }
      if (typeof handler !== 'function') throw new Error(`registerFunction: handler of "${metadata.name}" is not a function`);
      const collector = standIn.collector;
      if (!collector) throw new Error('registerFunction called while no local host is loading an app');
      const name = metadata.name;
      collector.registerFunction(metadata as unknown as FunctionMetadata, handler as FunctionCallback);
      return { dispose: () => collector.unregisterFunction(name) };
    },
    registerHook(hookName: string, callback: HookCallback): Disposable {
      if (!HOOK_NAMES.has(hookName)) {
        const err = new RangeError(`Unrecognized hook "${hookName}"`);
        (err as RangeError & { isAzureFunctionsSystemError?: boolean }).isAzureFunctionsSystemError = true;
        throw err;
      }
      let set = standIn.hooks.get(hookName);
      if (!set) {
        set = new Set();
        standIn.hooks.set(hookName, set);
      }
      set.add(callback);
      return { dispose: () => set.delete(callback) };
    },
    log(level: string, category: string, message: string): void {
      const logger = standIn.collector?.logger;
      if (!logger) return;
      const line = `[${category}] ${message}`;
      if (level === 'error' || level === 'critical') logger.error(line);
      else if (level === 'warning') logger.warn(line);
      else if (level === 'information') logger.info(line);
      else logger.debug(line);
    },
  };
  return standIn;
}

interface ModuleInternals {
  _resolveFilename(request: string, parent: unknown, isMain: boolean, options?: unknown): string;
  _cache: Record<string, unknown>;
}

const GLOBAL_KEY = Symbol.for('local-func-host.functions-core-stand-in');

/** Installs (once per process) the resolve hook and returns the stand-in. */
export function installStandIn(): StandIn {
  // On the real process object: one stand-in per process, even across jest's per-file globals.
  const holder = nativeProcess() as unknown as Record<symbol, StandIn | undefined>;
  const existing = holder[GLOBAL_KEY];
  if (existing) return existing;

  const standIn = createStandIn();
  const Module = nativeModule();
  const internals = Module as unknown as ModuleInternals;
  const original = internals._resolveFilename;
  internals._resolveFilename = function resolveFilename(request: string, parent: unknown, isMain: boolean, options?: unknown): string {
    if (request === CORE_MODULE_NAME) return STAND_IN_FILENAME;
    return original.call(this, request, parent, isMain, options);
  };
  const mod = new Module(STAND_IN_FILENAME);
  mod.filename = STAND_IN_FILENAME;
  mod.loaded = true;
  mod.exports = standIn;
  internals._cache[STAND_IN_FILENAME] = mod;
  holder[GLOBAL_KEY] = standIn;
  return standIn;
}
