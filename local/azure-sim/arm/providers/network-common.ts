import type { ArmResource } from '../../store';
import type { ArmRequest, ArmResult } from '../context';
import type { LatencyKind } from '../lro';
import { clone, type SimState } from '../state';
import { acceptedAnswer, normLocation, opPaths } from './operations';

/**
 * Microsoft.Network's LRO contract for PUT: 201 (create) / 200 (update) with the resource in
 * provisioningState Updating, `Azure-AsyncOperation` + `Retry-After`; GET shows Updating until the
 * operation ends, then Succeeded (or Failed).
 */
export function networkPut(state: SimState, req: ArmRequest, kind: LatencyKind, resource: ArmResource, isNew: boolean, onComplete: () => void = () => undefined): ArmResult {
  const props = (resource.properties ??= {});
  props.provisioningState = 'Updating';
  state.store.put(resource);
  const op = state.startLro(req, kind, resource.id, () => {
    const cur = state.store.get(resource.id);
    if (cur?.properties) cur.properties.provisioningState = 'Succeeded';
    onComplete();
    state.emitWrite(req, resource.id, 'write', { isUpdate: !isNew });
  }, {
    onFailed: () => {
      const cur = state.store.get(resource.id);
      if (cur?.properties) cur.properties.provisioningState = 'Failed';
    },
  });
  const loc = normLocation(resource.location) || 'global';
  return {
    status: isNew ? 201 : 200,
    body: clone(resource),
    headers: {
      'Azure-AsyncOperation': state.url(opPaths.networkStatus(state.subscriptionOf(resource.id), loc, op.id), req.apiVersion),
      ...state.retryAfter(req),
    },
  };
}

/** DELETE: 202 + Location + Azure-AsyncOperation; the resource shows Deleting until it is gone. */
export function networkDelete(state: SimState, req: ArmRequest, kind: LatencyKind, resource: ArmResource, remove: () => void): ArmResult {
  if (resource.properties) resource.properties.provisioningState = 'Deleting';
  const op = state.startLro(req, kind, resource.id, () => {
    remove();
    state.emitWrite(req, resource.id, 'delete');
  }, {
    onFailed: () => {
      if (resource.properties) resource.properties.provisioningState = 'Failed';
    },
  });
  const loc = normLocation(resource.location) || 'global';
  const sub = state.subscriptionOf(resource.id);
  return acceptedAnswer(state, req, opPaths.networkStatus(sub, loc, op.id), opPaths.networkResult(sub, loc, op.id));
}

// ---- IPv4 helpers -------------------------------------------------------------------------

export function ipToInt(ip: string): number {
  return ip.split('.').reduce((acc, o) => (acc << 8) + Number(o), 0) >>> 0;
}

export function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
}

export function parseCidr(cidr: string): { base: number; size: number } | undefined {
  const m = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(cidr.trim());
  if (!m || !m[1] || !m[2]) return undefined;
  const bits = Number(m[2]);
  if (bits > 32) return undefined;
  const size = 2 ** (32 - bits);
  const base = (ipToInt(m[1]) & (bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0)) >>> 0;
  return { base, size };
}

export function cidrContains(outer: string, inner: string): boolean {
  const o = parseCidr(outer);
  const i = parseCidr(inner);
  return !!o && !!i && i.base >= o.base && i.base + i.size <= o.base + o.size;
}
