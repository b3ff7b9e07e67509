import { lastSegmentOf } from './arm-id';
import { sha256Hex } from './hash';

/**
 * The durable instance ids of a registry's runs (issue 15 item 1):
 *
 * - `harden-<name>-<16 hex>`: the registry's **apply lock**, where the hex is the start of the
 *   SHA-256 of the lower-cased id without trailing slashes. The same registry, in any casing,
 *   always maps to the same lock, so duplicate events (and our own writes, which raise the event
 *   again) cannot start a second apply run while one goes on. (Before the lock, this was the id
 *   of the registry's one run; such a run is still read as the registry's apply run.)
 * - `harden-<name>-<16 hex>-<time>-<nonce>`: one **apply run**, started by the lock as its
 *   sub-orchestration: every run keeps its own status and outcome.
 * - `plan-<name>-<16 hex>-<time>-<nonce>`: one **plan run**: it takes no lock, so it never
 *   blocks an apply run (nor another plan).
 * - `<apply run id>-next`: the **follow-up** queued by an event that came while that apply run
 *   went on; it starts the next apply run once the lock is free.
 *
 * `<time>` is the start time (UTC, to the millisecond, `20260101T120000123Z`) and `<nonce>` 4 hex
 * digits from the starter. Durable instance ids must not contain '/', '\\', '#' or '?' and we
 * keep them ≤ 100 characters; the readable part is only for people: uniqueness comes from the
 * hash (64 bits) and, for runs, the time and nonce.
 */
export const INSTANCE_ID_PREFIX = 'harden-';
const PLAN_ID_PREFIX = 'plan-';
const FOLLOW_UP_SUFFIX = '-next';
const MAX_NAME_PART = 40;
const NONCE = /^[0-9a-f]{4}$/;

export function canonicalRegistryKey(registryId: string): string {
  return registryId.trim().replace(/\/+$/, '').toLowerCase();
}

/** `<name>-<16 hex>`: the registry's part of every id. */
function registryPart(registryId: string): string {
  const key = canonicalRegistryKey(registryId);
  const name = lastSegmentOf(key).replace(/[^a-z0-9_-]/g, '-').slice(0, MAX_NAME_PART) || 'registry';
  return `${name}-${sha256Hex(key).slice(0, 16)}`;
}

/** The registry's apply lock: at most one apply run at a time. */
export function instanceIdFor(registryId: string): string {
  return `${INSTANCE_ID_PREFIX}${registryPart(registryId)}`;
}

function runSuffix(at: Date, nonce: string): string {
  if (!NONCE.test(nonce)) throw new Error(`a run id's nonce must be 4 hex digits, not '${nonce}'`);
  return `${at.toISOString().replace(/[-:.]/g, '')}-${nonce}`;
}

/** One apply run of the registry, started at `at`. */
export function applyRunIdFor(registryId: string, at: Date, nonce: string): string {
  return `${instanceIdFor(registryId)}-${runSuffix(at, nonce)}`;
}

/** One plan run of the registry, started at `at`. */
export function planRunIdFor(registryId: string, at: Date, nonce: string): string {
  return `${PLAN_ID_PREFIX}${registryPart(registryId)}-${runSuffix(at, nonce)}`;
}

/** The follow-up queued behind the apply run `runId`. */
export function followUpIdFor(runId: string): string {
  return `${runId}${FOLLOW_UP_SUFFIX}`;
}

/** Whether `instanceId` is one of the registry's runs (its apply lock's old single run, an apply run, a plan run). */
export function isRunIdOf(registryId: string, instanceId: string): boolean {
  const part = registryPart(registryId);
  const lock = `${INSTANCE_ID_PREFIX}${part}`;
  const run = /^-\d{8}T\d{9}Z-[0-9a-f]{4}$/;
  if (instanceId === lock) return true;
  if (instanceId.startsWith(`${lock}-`)) return run.test(instanceId.slice(lock.length));
  const plan = `${PLAN_ID_PREFIX}${part}`;
  return instanceId.startsWith(`${plan}-`) && run.test(instanceId.slice(plan.length));
}
