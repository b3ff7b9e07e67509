/** Shapes of the worker contract (@azure/functions-core) as far as the local host needs them. */
import fs from 'node:fs';
import path from 'node:path';

export interface RpcTypedData {
  string?: string | null;
  json?: string | null;
  bytes?: Uint8Array | null;
  stream?: Uint8Array | null;
  http?: RpcHttpData | null;
  int?: number | null;
  double?: number | null;
}

export interface RpcHttpCookie {
  name?: string | null;
  value?: string | null;
  domain?: { value?: string | null } | null;
  path?: { value?: string | null } | null;
  expires?: { value?: { seconds?: number | null } | null } | null;
  secure?: { value?: boolean | null } | null;
  httpOnly?: { value?: boolean | null } | null;
  sameSite?: string | number | null;
  maxAge?: { value?: number | null } | null;
}

export interface RpcHttpData {
  method?: string | null;
  url?: string | null;
  headers?: Record<string, string> | null;
  body?: RpcTypedData | null;
  params?: Record<string, string> | null;
  statusCode?: string | null;
  query?: Record<string, string> | null;
  cookies?: RpcHttpCookie[] | null;
}

export interface RpcBindingInfo {
  type?: string | null;
  direction?: string | null;
  [key: string]: unknown;
}

export interface FunctionMetadata {
  name: string;
  bindings: Record<string, RpcBindingInfo>;
  retryOptions?: unknown;
}

export type FunctionCallback = (...args: unknown[]) => unknown;

export interface Registration {
  name: string;
  metadata: FunctionMetadata;
  handler: FunctionCallback;
  /** The `in` binding whose type ends in `Trigger`. */
  triggerName: string;
  triggerType: string;
  trigger: RpcBindingInfo;
}

export interface RpcParameterBinding {
  name: string;
  data?: RpcTypedData | undefined;
}

export interface InvocationResult {
  /** The handler's return value exactly as the handler returned it. */
  result: unknown;
  /** The response the programming model built (returnValue / outputData), as the worker would send it. */
  returnValue: RpcTypedData | null | undefined;
  outputData: { name: string; data: RpcTypedData }[];
}

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface HostKeys {
  /** Host-level function keys (name → value); any of them opens `function`-level routes. */
  functionKeys: Record<string, string>;
  masterKey: string;
  /** System keys: `eventgrid_extension` (Event Grid webhook), `durabletask_extension` (durable webhooks). */
  systemKeys?: Record<string, string>;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function errorMessage(err: unknown): string {
  if (isRecord(err) && typeof err.message === 'string') return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}

export function errorStack(err: unknown): string | undefined {
  if (isRecord(err) && typeof err.stack === 'string') return err.stack;
  return undefined;
}

export const silentLogger: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

export function stderrLogger(prefix = '[func-host]', verbose = false): Logger {
  const write = (level: string, message: string): void => {
    process.stderr.write(`${prefix} ${level} ${message}\n`);
  };
  return {
    debug: (m) => (verbose ? write('debug', m) : undefined),
    info: (m) => (verbose ? write('info', m) : undefined),
    warn: (m) => write('warn', m),
    error: (m) => write('error', m),
  };
}

/**
 * Appends every line (info too; debug when verbose) to `file`, creating its folder: a log to
 * read afterwards, e.g. one per test suite, instead of the console.
 */
export function fileLogger(file: string, prefix = '[func-host]', verbose = false): Logger {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const write = (level: string, message: string): void => {
    fs.appendFileSync(file, `${new Date().toISOString()} ${prefix} ${level} ${message}\n`);
  };
  return {
    debug: (m) => (verbose ? write('debug', m) : undefined),
    info: (m) => write('info', m),
    warn: (m) => write('warn', m),
    error: (m) => write('error', m),
  };
}

/** The setting that sends the host's log to a file (see defaultLogger). */
export const LOG_FILE_SETTING = 'FUNC_HOST_LOG_FILE';

/** The host's logger unless one is given: to the file FUNC_HOST_LOG_FILE names when set (the tests set it per suite), else stderr. */
export function defaultLogger(env: NodeJS.ProcessEnv = process.env): Logger {
  const file = env[LOG_FILE_SETTING];
  return file ? fileLogger(file) : stderrLogger();
}
