/** Durable statuses → the API's views (pure). */
import type { HardenInput, StepStatus } from '../hardening/domain/hardening';
import { parseRegistryId } from '../hardening/domain/registry';
import { registryRoutePath, Routes } from './routes';
import { isoTime, recordOf, type DurableStatusRecord } from '../shared/durable-status';
import type { RunStatusView, RunSummary } from './schemas';

function inputOf(s: DurableStatusRecord): Partial<HardenInput> {
  return (recordOf(s.input) ?? recordOf(s.customStatus) ?? {}) as Partial<HardenInput>;
}

function instanceIdOf(s: DurableStatusRecord): string {
  return typeof s.instanceId === 'string' ? s.instanceId : '';
}

function modeOf(value: unknown): 'apply' | 'plan' | undefined {
  return value === 'apply' || value === 'plan' ? value : undefined;
}

/** `/api/registries/{sub}/{rg}/{name}/harden` of a registry id. */
export function statusPath(registryId: string): string {
  return registryRoutePath(Routes.getHardeningStatus, parseRegistryId(registryId));
}

/** The status path of one run of the registry: `…/harden?instanceId=<id>`. */
export function runStatusPath(registryId: string, instanceId: string): string {
  return `${statusPath(registryId)}?instanceId=${encodeURIComponent(instanceId)}`;
}

function triggerOf(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 && value.length <= 64 ? value : undefined;
}

export function runStatusView(s: DurableStatusRecord): RunStatusView {
  const input = inputOf(s);
  const custom = recordOf(s.customStatus);
  const steps = Array.isArray(custom?.steps) ? (custom.steps as StepStatus[]) : [];
  const mode = modeOf(input.mode);
  const trigger = triggerOf(input.trigger);
  return {
    instanceId: instanceIdOf(s),
    ...(typeof input.registryId === 'string' ? { registryId: input.registryId } : {}),
    ...(mode ? { mode } : {}),
    ...(trigger ? { trigger } : {}),
    runtimeStatus: String(s.runtimeStatus ?? 'Unknown'),
    steps,
    output: s.output ?? null,
    createdTime: isoTime(s.createdTime),
    lastUpdatedTime: isoTime(s.lastUpdatedTime),
  };
}

export function runSummary(s: DurableStatusRecord, origin: string): RunSummary {
  const input = inputOf(s);
  const mode = modeOf(input.mode);
  const trigger = triggerOf(input.trigger);
  let statusUrl: string | undefined;
  if (typeof input.registryId === 'string') {
    try {
      statusUrl = `${origin}${runStatusPath(input.registryId, instanceIdOf(s))}`;
    } catch {
      statusUrl = undefined;
    }
  }
  return {
    instanceId: instanceIdOf(s),
    ...(typeof input.registryId === 'string' ? { registryId: input.registryId } : {}),
    ...(mode ? { mode } : {}),
    ...(trigger ? { trigger } : {}),
    runtimeStatus: String(s.runtimeStatus ?? 'Unknown'),
    createdTime: isoTime(s.createdTime),
    lastUpdatedTime: isoTime(s.lastUpdatedTime),
    ...(statusUrl ? { statusUrl } : {}),
  };
}

/* ---- paging: an opaque keyset token (createdTime, instanceId of the last item given) ---- */

export interface PageCursor {
  createdTime: string;
  instanceId: string;
}

export function encodeCursor(c: PageCursor): string {
  return Buffer.from(JSON.stringify([c.createdTime, c.instanceId]), 'utf8').toString('base64url');
}

export function decodeCursor(token: string): PageCursor | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string' && !Number.isNaN(Date.parse(v[0]))) {
      return { createdTime: v[0], instanceId: v[1] };
    }
  } catch {
    // not ours
  }
  return undefined;
}

/** Newest first; ties by instance id. */
export function compareRuns(a: RunSummary, b: RunSummary): number {
  return b.createdTime.localeCompare(a.createdTime) || a.instanceId.localeCompare(b.instanceId);
}

/** One page after the cursor (exclusive) and the cursor of the next page, if any. */
export function pageOf(sorted: readonly RunSummary[], top: number, after: PageCursor | undefined): { items: RunSummary[]; next: PageCursor | undefined } {
  const start = after === undefined ? 0 : sorted.findIndex((r) => compareRuns(r, { instanceId: after.instanceId, createdTime: after.createdTime, runtimeStatus: '', lastUpdatedTime: '' }) > 0);
  const from = start < 0 ? sorted.length : start;
  const items = sorted.slice(from, from + top);
  const last = items[items.length - 1];
  const next = last !== undefined && from + top < sorted.length ? { createdTime: last.createdTime, instanceId: last.instanceId } : undefined;
  return { items, next };
}
