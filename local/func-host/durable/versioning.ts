/**
 * Orchestration versioning as the Durable Functions extension does it (host.json
 * `extensions.durableTask.defaultVersion`, `versionMatchStrategy`, `versionFailureStrategy`):
 * new instances are stamped with the worker's defaultVersion (or the version the client asks
 * for), and an orchestration work item whose instance version does not match is rejected
 * (left as it is) or fails the instance. See README.md "Orchestration versioning".
 */

export type VersionMatchStrategy = 'None' | 'Strict' | 'CurrentOrOlder';
export type VersionFailureStrategy = 'Reject' | 'Fail';

export interface VersioningSettings {
  /** The worker's version; undefined = unversioned (no checks, new instances get no version). */
  defaultVersion: string | undefined;
  matchStrategy: VersionMatchStrategy;
  failureStrategy: VersionFailureStrategy;
}

export const UNVERSIONED: VersioningSettings = Object.freeze({ defaultVersion: undefined, matchStrategy: 'CurrentOrOlder', failureStrategy: 'Reject' });

const INT32_MAX = 2 ** 31 - 1;

/** System.Version.TryParse: 2 to 4 numeric components, each 0..Int32.MaxValue ("1" alone is not a Version). */
function parseDotNetVersion(v: string): number[] | undefined {
  const parts = v.trim().split('.');
  if (parts.length < 2 || parts.length > 4) return undefined;
  const nums: number[] = [];
  for (const p of parts) {
    const t = p.trim();
    if (!/^\+?\d+$/.test(t)) return undefined;
    const n = Number(t);
    if (n > INT32_MAX) return undefined;
    nums.push(n);
  }
  while (nums.length < 4) nums.push(-1); // an absent build/revision is -1: 1.0 < 1.0.0
  return nums;
}

function isBlank(v: string | undefined | null): boolean {
  return v === undefined || v === null || v.trim() === '';
}

/**
 * DurableTask.Core VersioningSettings.CompareVersions: both empty → equal; an empty version is
 * older than any defined one; both System.Version → numeric comparison; else ordinal
 * case-insensitive string comparison. Returns <0, 0, >0.
 */
export function compareVersions(source: string | undefined | null, other: string | undefined | null): number {
  if (isBlank(source) && isBlank(other)) return 0;
  if (isBlank(source)) return -1;
  if (isBlank(other)) return 1;
  const a = parseDotNetVersion(source!);
  const b = parseDotNetVersion(other!);
  if (a && b) {
    for (let i = 0; i < 4; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
    return 0;
  }
  const x = source!.toUpperCase();
  const y = other!.toUpperCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Why a worker with these settings may not process an instance of `instanceVersion`, or undefined if it may. */
export function versionMismatch(instanceVersion: string | undefined, settings: VersioningSettings): string | undefined {
  if (settings.defaultVersion === undefined || settings.matchStrategy === 'None') return undefined;
  const worker = settings.defaultVersion;
  const version = instanceVersion ?? '';
  if (settings.matchStrategy === 'Strict') {
    return compareVersions(version, worker) === 0 ? undefined : `The orchestration version '${version}' does not match the worker version '${worker}'.`;
  }
  return compareVersions(version, worker) <= 0 ? undefined : `The orchestration version '${version}' is greater than the worker version '${worker}'.`;
}

function pick<T extends string>(raw: unknown, allowed: readonly T[], fallback: T, key: string): T {
  if (raw === undefined || raw === null) return fallback;
  const found = typeof raw === 'string' ? allowed.find((a) => a.toLowerCase() === raw.trim().toLowerCase()) : undefined;
  if (!found) throw new Error(`host.json extensions.durableTask.${key} must be one of ${allowed.join(', ')} (got ${JSON.stringify(raw)})`);
  return found;
}

/** Reads the three settings from host.json's `extensions.durableTask` object (fails fast on bad values). */
export function parseVersioningSettings(durableTask: Record<string, unknown>): VersioningSettings {
  const dv = durableTask.defaultVersion;
  if (dv !== undefined && dv !== null && typeof dv !== 'string') throw new Error('host.json extensions.durableTask.defaultVersion must be a string');
  return {
    defaultVersion: typeof dv === 'string' && dv.trim() !== '' ? dv : undefined,
    matchStrategy: pick(durableTask.versionMatchStrategy, ['None', 'Strict', 'CurrentOrOlder'] as const, 'CurrentOrOlder', 'versionMatchStrategy'),
    failureStrategy: pick(durableTask.versionFailureStrategy, ['Reject', 'Fail'] as const, 'Reject', 'versionFailureStrategy'),
  };
}
