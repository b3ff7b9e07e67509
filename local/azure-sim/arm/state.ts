import { randomUUID } from 'node:crypto';
import type { ArmResource, ResourceStore } from '../store';
import type { TokenAuthority } from '../tokens';
import type { ArmRequest, ArmResult } from './context';
import { ArmError, armErrors } from './errors';
import { parseArmId, rgId, typeOf } from './ids';
import { LroEngine, lroRetryAfterSecondsOf, type LatencyKind, type LroOperation } from './lro';
import { SimProfile } from '../profiles';
import { RoleAssignments } from './rbac';

/** Placeholder object id used for writes the Azure ML resource provider makes itself. */
export const SYSTEM_APP_ID = '00000000-0000-0000-0000-00000000a1a1';

export type ApprovalMode = 'auto' | 'manual' | 'deny';

/** What the registry PUT's Azure-AsyncOperation URL answers once Succeeded (SimOptions.registryAsyncOperationBody). */
export type RegistryAsyncOperationBody = 'status' | 'bare';

export interface StateOptions {
  subscriptionId: string;
  /** further subscriptions that exist besides subscriptionId */
  otherSubscriptionIds?: readonly string[];
  tenantId: string;
  pageSize: number;
  /** a fixed Retry-After (whole seconds, sent as is) on every LRO answer instead of each provider's (LRO_RETRY_AFTER_SECONDS, time-scaled) */
  lroRetryAfterSeconds?: number;
  /**
   * The app's clock (its principal, the local host's time scale): since workflow 2.3 the app
   * waits for an operation's Retry-After on a durable timer, which the local host runs at its own
   * time scale; the Retry-After sent to that principal is in that clock.
   */
  principalClock?: { oid: string; timeScale: number };
  /** RBAC role named in the events' authorization evidence */
  callerRole: string;
  /** default 'status' */
  registryAsyncOperationBody?: RegistryAsyncOperationBody;
  /** multiplies simulated durations (profile delays) into real ones */
  timeScale: number;
}

/**
 * What every provider shares: the store, the token authority, the LRO engine, per-target approval
 * modes, internal (non-wire) data such as registry GUIDs, and the ARM base URL once listening.
 */
export class SimState {
  armBase = '';
  readonly approvalModes = new Map<string, ApprovalMode>();
  /** internal data per resource id (lower-cased), never returned on the wire */
  readonly internal = new Map<string, Record<string, string>>();
  /** role assignments the admin API set (principals without one are not checked) */
  readonly rbac = new RoleAssignments();
  /** the Azure behaviour profile in force (profiles.ts); providers read `profile.flags` */
  readonly profile = new SimProfile();

  constructor(
    readonly store: ResourceStore,
    readonly tokens: TokenAuthority,
    readonly lro: LroEngine,
    readonly options: StateOptions,
  ) {}

  approvalMode(targetId: string): ApprovalMode {
    return this.approvalModes.get(targetId.toLowerCase()) ?? 'auto';
  }

  internalOf(id: string): Record<string, string> {
    const key = id.toLowerCase();
    let v = this.internal.get(key);
    if (!v) {
      v = {};
      this.internal.set(key, v);
    }
    return v;
  }

  // ---- validation helpers -------------------------------------------------------------

  knowsSubscription(subscriptionId: string): boolean {
    const wanted = subscriptionId.toLowerCase();
    return [this.options.subscriptionId, ...(this.options.otherSubscriptionIds ?? [])].some((s) => s.toLowerCase() === wanted);
  }

  requireSubscription(subscriptionId: string): void {
    if (!this.knowsSubscription(subscriptionId)) throw armErrors.subscriptionNotFound(subscriptionId);
  }

  /** The subscription a resource id lives in (the home subscription for ids that name none). */
  subscriptionOf(resourceId: string): string {
    return parseArmId(resourceId)?.subscriptionId ?? this.options.subscriptionId;
  }

  requireResourceGroup(subscriptionId: string, resourceGroup: string): ArmResource {
    this.requireSubscription(subscriptionId);
    const rg = this.store.get(rgId(subscriptionId, resourceGroup));
    if (!rg) throw armErrors.resourceGroupNotFound(resourceGroup);
    return rg;
  }

  /** GET-style lookup with ARM's ResourceGroupNotFound / ResourceNotFound errors. */
  requireResource(id: string): ArmResource {
    const p = parseArmId(id);
    if (!p) throw new ArmError(400, 'InvalidResourceId', `The resource id '${id}' is invalid.`);
    if (p.resourceGroup) this.requireResourceGroup(p.subscriptionId, p.resourceGroup);
    const r = this.store.get(id);
    if (!r) {
      const typeAndName = [p.namespace, ...p.types.flatMap((t, i) => [t, p.names[i] ?? ''])].join('/');
      throw armErrors.resourceNotFound(typeAndName, p.resourceGroup ?? '');
    }
    return r;
  }

  managedResourceGroupOf(resourceGroupId: string): ArmResource | undefined {
    const rg = this.store.get(resourceGroupId);
    return rg && typeof rg.managedBy === 'string' && rg.managedBy.toLowerCase().includes('/microsoft.machinelearningservices/registries/') ? rg : undefined;
  }

  /** The registry's system deny assignment: refuses writes in its managed resource group. */
  denyIfManaged(req: ArmRequest, subscriptionId: string, resourceGroup: string, targetId: string, action: string): void {
    const rg = this.managedResourceGroupOf(rgId(subscriptionId, resourceGroup));
    if (!rg) return;
    const denyId = this.internalOf(rg.id).denyAssignmentId ?? randomUUID();
    this.internalOf(rg.id).denyAssignmentId = denyId;
    throw armErrors.denyAssignment(req.principalId, action, targetId, rg.id, denyId);
  }

  /**
   * The linked access checks ARM makes for references in a request's body (joining a subnet,
   * a private DNS zone, approving on a private link target), recorded on the request; any the
   * caller's role does not cover (or `denied` says no to) fail the request with one
   * LinkedAuthorizationFailed naming them all.
   */
  authorizeLinked(req: ArmRequest, linked: readonly { action: string; scope: string; denied?: boolean }[]): void {
    const failed: { action: string; scope: string }[] = [];
    for (const l of linked) {
      const allowed = l.denied !== true && this.rbac.allows(req.principalId, l.action, l.scope);
      req.checks.push({ action: l.action, scope: l.scope, linked: true, allowed });
      if (!allowed) failed.push({ action: l.action, scope: l.scope });
    }
    const primary = req.checks.find((c) => !c.linked);
    if (failed.length > 0) throw armErrors.linkedAuthorizationFailed(req.principalId, primary?.action ?? '', primary?.scope ?? req.path, failed);
  }

  // ---- events ---------------------------------------------------------------------------

  /** Records a successful write (raises ResourceWriteSuccess through the store). */
  emitWrite(req: ArmRequest, resourceId: string, verb: 'write' | 'delete' | 'action', opts: { isUpdate?: boolean; actionName?: string } = {}): void {
    const p = parseArmId(resourceId);
    const type = p ? (p.namespace ? typeOf(p) : p.resourceGroup ? 'Microsoft.Resources/subscriptions/resourceGroups' : 'Microsoft.Resources/subscriptions') : 'unknown';
    const operationName = verb === 'action' ? `${type}/${opts.actionName ?? 'action'}/action` : `${type}/${verb}`;
    const includeHttp = verb === 'delete' || opts.isUpdate === true;
    this.store.recordWrite({
      method: req.method === 'HEAD' || req.method === 'GET' ? 'POST' : req.method,
      resourceId,
      operationName,
      resourceProvider: type.split('/')[0] ?? 'Microsoft.Resources',
      subscriptionId: this.subscriptionOf(resourceId),
      tenantId: this.options.tenantId,
      correlationId: req.correlationId,
      claims: { ...req.claims },
      authorization: { scope: resourceId, action: operationName, evidence: { role: this.options.callerRole } },
      ...(includeHttp
        ? { httpRequest: { clientRequestId: req.clientRequestId, clientIpAddress: req.clientIp, method: req.method, url: req.url } }
        : {}),
      time: new Date().toISOString(),
    });
  }

  /** A write done by a resource provider itself (e.g. the registry's managed resources). */
  emitSystemWrite(resourceId: string, correlationId: string, verb: 'write' | 'delete' = 'write'): void {
    const p = parseArmId(resourceId);
    const type = p ? (p.namespace ? typeOf(p) : 'Microsoft.Resources/subscriptions/resourceGroups') : 'unknown';
    const operationName = `${type}/${verb}`;
    this.store.recordWrite({
      method: verb === 'delete' ? 'DELETE' : 'PUT',
      resourceId,
      operationName,
      resourceProvider: type.split('/')[0] ?? 'Microsoft.Resources',
      subscriptionId: this.subscriptionOf(resourceId),
      tenantId: this.options.tenantId,
      correlationId,
      claims: { aud: 'https://management.azure.com', tid: this.options.tenantId, idtyp: 'app', appid: SYSTEM_APP_ID, oid: SYSTEM_APP_ID },
      authorization: { scope: resourceId, action: operationName, evidence: { role: 'Azure Machine Learning (system)' } },
      time: new Date().toISOString(),
    });
  }

  // ---- LRO helpers ----------------------------------------------------------------------

  /**
   * The Retry-After of an LRO answer: the provider's, in Azure time, scaled to real time.
   * `Retry-After` carries whole seconds, so it is rounded (0 when the scaled wait is under half a
   * second: the client's own interval), and a time-scaled run sends the exact wait in
   * `retry-after-ms` as well, as the throttling answers do. For the app (options.principalClock)
   * `retry-after-ms` is in its host's clock: the run reads it first and waits on a durable timer,
   * while SDK pollers read only `Retry-After` and sleep in real time.
   */
  retryAfter(req: Pick<ArmRequest, 'path' | 'principalId'>): Record<string, string> {
    const fixed = this.options.lroRetryAfterSeconds;
    if (fixed !== undefined) return { 'Retry-After': String(fixed) };
    const clock = this.options.principalClock;
    const clientScale = clock && clock.oid === req.principalId && clock.timeScale > 0 ? clock.timeScale : 1;
    const realMs = lroRetryAfterSecondsOf(req.path) * 1000 * this.options.timeScale;
    const seconds = Math.round(realMs / 1000);
    const clientMs = Math.round(realMs / clientScale);
    return clientMs === seconds * 1000 ? { 'Retry-After': String(seconds) } : { 'Retry-After': String(seconds), 'retry-after-ms': String(clientMs) };
  }

  url(path: string, apiVersion: string): string {
    return `${this.armBase}${path}?api-version=${encodeURIComponent(apiVersion)}`;
  }

  /** Starts an LRO unless one is running on the resource (409 AnotherOperationInProgress). */
  startLro(req: ArmRequest, kind: LatencyKind, resourceId: string, complete: () => void, extra: { onFailed?: () => void; finalBody?: () => unknown } = {}): LroOperation {
    const running = this.lro.runningOn(resourceId);
    if (running) throw armErrors.anotherOperationInProgress(resourceId, running);
    return this.lro.start({
      kind,
      resourceId,
      complete,
      ...(extra.onFailed ? { onFailed: extra.onFailed } : {}),
      ...(extra.finalBody ? { finalBody: extra.finalBody } : {}),
      ...(req.injectedLroFailure ? { fail: req.injectedLroFailure } : {}),
      ...(req.injectedLroStall ? { stall: req.injectedLroStall } : {}),
    });
  }

  /** A paged list answer with nextLink ($skipToken = offset). */
  page<T>(req: ArmRequest, items: T[]): ArmResult {
    const offset = Math.max(0, Number.parseInt(req.query.get('$skipToken') ?? '0', 10) || 0);
    const size = this.options.pageSize;
    const value = items.slice(offset, offset + size);
    const body: { value: T[]; nextLink?: string } = { value };
    if (offset + size < items.length) {
      body.nextLink = `${this.armBase}${req.path}?api-version=${encodeURIComponent(req.apiVersion)}&$skipToken=${offset + size}`;
    }
    return { status: 200, body };
  }
}

/** Deep copy for answers (the store keeps the canonical object). */
export function clone<T>(v: T): T {
  return structuredClone(v);
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function requireBody(req: ArmRequest): Record<string, unknown> {
  if (!isRecord(req.body)) throw armErrors.invalidRequestContent('The request body must be a JSON object');
  return req.body;
}

export function strOf(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function recOf(v: unknown): Record<string, unknown> {
  return isRecord(v) ? v : {};
}

export function arrOf(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function tagsOf(v: unknown): Record<string, string> | undefined {
  if (!isRecord(v)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) if (typeof val === 'string') out[k] = val;
  return out;
}

export function etag(): string {
  return `W/"${randomUUID()}"`;
}
