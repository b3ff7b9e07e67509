import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ROOT } from '../../../local/world';
import type { TrafficRecord } from '../../../local/azure-sim/traffic';

/**
 * Validating recorded simulator traffic (local/azure-sim/traffic.ts) with oav's LiveValidator
 * against the official specs in ../shared/reference/azure-rest/specs (beside the project root).
 */

/** The spec folder, found from the project root as ../shared; undefined when it is absent. */
export const SPECS_DIR = join(ROOT, '..', 'shared', 'reference', 'azure-rest', 'specs', 'specification');
export const specsPresent = (): boolean => existsSync(SPECS_DIR);

/** The part of oav's API this test uses (oav ships its own types; this keeps typecheck independent of its install). */
interface OavError {
  code: string;
  message: string;
  path?: string;
  jsonPathsInPayload?: string[];
  schemaPath?: string;
}
interface OavResult {
  isSuccessful?: boolean;
  operationInfo?: { apiVersion?: string; operationId?: string };
  errors: OavError[];
  runtimeException?: { code: string; message: string };
}
interface OavLiveValidator {
  initialize(): Promise<void>;
  validateLiveRequestResponse(record: TrafficRecord): Promise<{ requestValidationResult: OavResult; responseValidationResult: OavResult }>;
}
interface OavModule {
  LiveValidator: new (options: Record<string, unknown>) => OavLiveValidator;
}

/** oav from the project's node_modules (a devDependency). */
export function loadOav(): OavModule {
  const req = createRequire(join(ROOT, 'package.json'));
  try {
    const oav = req('oav') as OavModule;
    // oav logs every mismatch to the console through winston as well; the test reports them itself
    (req('oav/dist/lib/util/logging') as { log: { silent: boolean } }).log.silent = true;
    return oav;
  } catch (e) {
    throw new Error(`oav is a devDependency but cannot be loaded (run npm install): ${e instanceof Error ? e.message : String(e)}`);
  }
}

export async function liveValidator(): Promise<OavLiveValidator> {
  const { LiveValidator } = loadOav();
  const validator = new LiveValidator({
    directory: SPECS_DIR,
    swaggerPathsPattern: ['**/*.json'],
    excludedSwaggerPathsPattern: ['**/common-types/**'],
    git: { shouldClone: false },
    isPathCaseSensitive: false,
    loadValidatorInBackground: false,
  });
  await validator.initialize();
  return validator;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/**
 * The resource type a path addresses, as the key of the api-version table: the provider
 * namespace of its last `/providers/<ns>/` and the first type after it
 * (`microsoft.network/privateendpoints`, `microsoft.network/privatednszones`); resource groups are
 * `microsoft.resources/resourcegroups`.
 */
export function typeKeyOf(path: string): string | undefined {
  // long-running operation status URLs belong to ARM's async protocol, not to any service spec
  if (isOperationStatusPath(path)) return undefined;
  const all = [...path.matchAll(/\/providers\/(Microsoft\.[A-Za-z]+)\/([^/?]+)/gi)];
  const last = all[all.length - 1];
  if (last?.[1] && last[2] && !last[2].startsWith('{')) return `${last[1]}/${last[2]}`.toLowerCase();
  if (/^\/subscriptions\/[^/]+\/resourcegroups(\/|$)/i.test(path)) return 'microsoft.resources/resourcegroups';
  return undefined;
}

/** An Azure-AsyncOperation / Location status URL (network, private DNS, ML, ACR operation statuses). */
export function isOperationStatusPath(path: string): boolean {
  return /\/(locations\/[^/]+\/(operations|operationResults|mfeOperationsStatus|mfeOperationResults)|operationStatuses|privateDnsOperationStatuses|privateDnsOperationResults)\/[^/]+$/i.test(path);
}

/** Kept api-versions per resource type (typeKeyOf), from the spec files' folder names (…/stable/<version>/…) and their paths. */
export function keptApiVersions(root = SPECS_DIR): Map<string, string[]> {
  const out = new Map<string, Set<string>>();
  for (const file of walk(root)) {
    const version = /\/stable\/(\d{4}-\d{2}-\d{2})\//.exec(file)?.[1];
    if (version === undefined || file.includes('common-types')) continue;
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { paths?: Record<string, unknown> };
    for (const path of Object.keys(doc.paths ?? {})) {
      const key = typeKeyOf(path);
      if (key === undefined) continue;
      const set = out.get(key) ?? new Set<string>();
      set.add(version);
      out.set(key, set);
    }
  }
  return new Map([...out].map(([k, v]) => [k, [...v].sort()]));
}

/** SOURCES.md's rule: the exact kept version, else the closest newer kept one, else the newest older one. */
export function judgingVersion(sent: string, kept: readonly string[]): string | undefined {
  if (kept.includes(sent)) return sent;
  const newer = kept.filter((v) => v > sent).sort();
  if (newer.length > 0) return newer[0];
  const older = kept.filter((v) => v < sent).sort();
  return older[older.length - 1];
}

export function readTraffic(dir: string): Array<{ file: string; record: TrafficRecord }> {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ file: f, record: JSON.parse(readFileSync(join(dir, f), 'utf8')) as TrafficRecord }));
}

export type { OavError, OavResult };
