/** The parts of host.json the local host honours. */
import fs from 'node:fs';
import { parseVersioningSettings, type VersioningSettings } from './durable/versioning';
import { isRecord } from './types';

export interface HostSettings {
  routePrefix: string;
  hubName: string;
  maxConcurrentActivityFunctions: number;
  /** defaultVersion / versionMatchStrategy / versionFailureStrategy */
  versioning: VersioningSettings;
  /** host.json `functionTimeout` (every invocation); undefined = unbounded ("-1") */
  functionTimeout: FunctionTimeout | undefined;
}

export interface FunctionTimeout {
  ms: number;
  /** as the host prints it (a .NET TimeSpan: `[d.]hh:mm:ss[.fffffff]`) */
  text: string;
}

/** App setting that overrides host.json's `functionTimeout`, as in Azure. */
export const FUNCTION_TIMEOUT_SETTING = 'AzureFunctionsJobHost__functionTimeout';
/** The Flex Consumption plan's default when host.json sets none (the app's plan; Consumption: 5 min). */
export const DEFAULT_FUNCTION_TIMEOUT = '00:30:00';

function timeSpanText(ms: number): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  const days = Math.floor(ms / 86_400_000);
  const h = Math.floor(ms / 3_600_000) % 24;
  const m = Math.floor(ms / 60_000) % 60;
  const sec = Math.floor(ms / 1000) % 60;
  const frac = ms % 1000;
  return `${days > 0 ? `${days}.` : ''}${pad(h)}:${pad(m)}:${pad(sec)}${frac > 0 ? `.${String(frac).padStart(3, '0')}0000` : ''}`;
}

/** `functionTimeout` as a TimeSpan (`[d.]hh:mm:ss[.fff]`); "-1" is unbounded; anything else stops the host, as the real one refuses it. */
export function parseFunctionTimeout(value: unknown): FunctionTimeout | undefined {
  const raw = value === undefined || value === null ? DEFAULT_FUNCTION_TIMEOUT : value;
  if (raw === '-1' || raw === -1) return undefined;
  const m = typeof raw === 'string' ? /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?$/.exec(raw.trim()) : null;
  if (!m) throw new Error(`host.json functionTimeout '${String(raw)}' is not a TimeSpan ([d.]hh:mm:ss) or -1`);
  const [d, h, min, sec] = [m[1], m[2], m[3], m[4]].map((x) => Number(x ?? 0)) as [number, number, number, number];
  if (h > 23 || min > 59 || sec > 59) throw new Error(`host.json functionTimeout '${String(raw)}' is out of range`);
  const ms = (((d * 24 + h) * 60 + min) * 60 + sec) * 1000 + Math.round(Number(`0.${m[5] ?? '0'}`) * 1000);
  if (ms <= 0) throw new Error(`host.json functionTimeout '${String(raw)}' must be positive`);
  return { ms, text: timeSpanText(ms) };
}

/** App setting that overrides host.json's value, as the Functions host reads `AzureFunctionsJobHost__<path>`. */
export const MAX_ACTIVITIES_SETTING = 'AzureFunctionsJobHost__extensions__durableTask__maxConcurrentActivityFunctions';

export function readHostSettings(hostJsonPath: string | undefined, appSettings: Readonly<Record<string, string | undefined>> = {}): HostSettings {
  let raw: unknown = {};
  if (hostJsonPath && fs.existsSync(hostJsonPath)) raw = JSON.parse(fs.readFileSync(hostJsonPath, 'utf8'));
  const extensions = isRecord(raw) && isRecord(raw.extensions) ? raw.extensions : {};
  const http = isRecord(extensions.http) ? extensions.http : {};
  const durable = isRecord(extensions.durableTask) ? extensions.durableTask : {};
  const prefix = typeof http.routePrefix === 'string' ? http.routePrefix.replace(/^\/+|\/+$/g, '') : 'api';
  const override = appSettings[MAX_ACTIVITIES_SETTING];
  const max = override !== undefined && /^\d+$/.test(override.trim()) ? Number(override) : durable.maxConcurrentActivityFunctions;
  return {
    routePrefix: prefix,
    hubName: typeof durable.hubName === 'string' && durable.hubName !== '' ? durable.hubName : 'TestHubName',
    maxConcurrentActivityFunctions: typeof max === 'number' && max > 0 ? Math.floor(max) : 10,
    versioning: parseVersioningSettings(durable),
    functionTimeout: parseFunctionTimeout(appSettings[FUNCTION_TIMEOUT_SETTING] ?? (isRecord(raw) ? raw.functionTimeout : undefined)),
  };
}
