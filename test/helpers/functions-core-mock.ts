/**
 * A stand-in for `@azure/functions-core`, the module the Functions worker injects at run time.
 * `@azure/functions` registers every `app.*` / `df.app.*` handler through its `registerFunction`;
 * capturing them lets a unit test call a handler exactly as the worker would.
 *
 * Use in a test file (jest hoists it above the imports):
 *   jest.mock('@azure/functions-core', () => jest.requireActual('../../helpers/functions-core-mock').createFunctionsCoreMock(), { virtual: true });
 */
export interface RegisteredFunction {
  metadata: { name: string; bindings: Record<string, { type: string; direction: string }> } & Record<string, unknown>;
  handler: (...args: unknown[]) => unknown;
}

export interface FunctionsCoreMock {
  registered: Map<string, RegisteredFunction>;
  registerFunction(metadata: RegisteredFunction['metadata'], handler: RegisteredFunction['handler']): { dispose(): void };
  setProgrammingModel(model: unknown): void;
  getProgrammingModel(): unknown;
  registerHook(name: string, callback: unknown): { dispose(): void };
}

export function createFunctionsCoreMock(): FunctionsCoreMock {
  let model: unknown;
  const registered = new Map<string, RegisteredFunction>();
  return {
    registered,
    registerFunction(metadata, handler) {
      registered.set(metadata.name, { metadata, handler });
      return { dispose: () => registered.delete(metadata.name) };
    },
    setProgrammingModel(m) {
      model = m;
    },
    getProgrammingModel() {
      return model;
    },
    registerHook() {
      return { dispose() {} };
    },
  };
}
