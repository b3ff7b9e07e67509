import { randomUUID } from 'node:crypto';
import { registryGuidOf } from '../../registry-guid';
import type { ArmResource } from '../../store';
import { ArmError } from '../errors';
import { lastName, parseArmId, sameId, typeOf } from '../ids';
import { arrOf, recOf, strOf, type SimState } from '../state';
import { normLocation } from './operations';

/** One name an endpoint serves: the NIC gets one IP per member. */
export interface LinkMember {
  groupId: string;
  requiredMemberName: string;
  fqdns: string[];
}

export type TargetKind = 'mlRegistry' | 'storage' | 'acr';

export const TARGET_TYPES: Record<string, TargetKind> = {
  'microsoft.machinelearningservices/registries': 'mlRegistry',
  'microsoft.storage/storageaccounts': 'storage',
  'microsoft.containerregistry/registries': 'acr',
};

const STORAGE_GROUPS: Record<string, string> = {
  blob: 'blob',
  blob_secondary: 'blob',
  table: 'table',
  table_secondary: 'table',
  queue: 'queue',
  queue_secondary: 'queue',
  file: 'file',
  web: 'web',
  web_secondary: 'web',
  dfs: 'dfs',
  dfs_secondary: 'dfs',
};

export function validGroupIds(kind: TargetKind): string[] {
  if (kind === 'mlRegistry') return ['amlregistry'];
  if (kind === 'acr') return ['registry'];
  return Object.keys(STORAGE_GROUPS);
}

export function targetKind(target: ArmResource): TargetKind | undefined {
  return TARGET_TYPES[target.type.toLowerCase()];
}

/** Regions of an ML registry (home first), from properties.regionDetails. */
export function registryRegions(registry: ArmResource): string[] {
  const regions = [normLocation(registry.location)];
  for (const d of arrOf(recOf(registry.properties).regionDetails)) {
    const loc = normLocation(strOf(recOf(d).location));
    if (loc && !regions.includes(loc)) regions.push(loc);
  }
  return regions;
}

/** Home region first, then every replication's region. */
export function acrRegions(state: SimState, acr: ArmResource): string[] {
  const regions = [normLocation(acr.location)];
  for (const rep of state.store.list('Microsoft.ContainerRegistry/registries/replications', acr.id)) {
    const loc = normLocation(rep.location);
    if (loc && !regions.includes(loc)) regions.push(loc);
  }
  return regions;
}

/**
 * The names Azure gives each target's endpoint (public sources: private-endpoint-dns and the
 * registry network-isolation guide). Every NIC carries the public form (so does customDnsConfigs);
 * the zone group's record sets live in the privatelink zone.
 */
export function membersFor(state: SimState, target: ArmResource, groupId: string): LinkMember[] {
  const kind = targetKind(target);
  const name = target.name.toLowerCase();
  if (kind === 'storage') {
    const service = STORAGE_GROUPS[groupId] ?? 'blob';
    const host = groupId.endsWith('_secondary') ? `${name}-secondary` : name;
    return [{ groupId, requiredMemberName: groupId, fqdns: [`${host}.${service}.core.windows.net`] }];
  }
  if (kind === 'acr') {
    return [
      { groupId, requiredMemberName: 'registry', fqdns: [`${name}.azurecr.io`] },
      ...acrRegions(state, target).map((r) => ({ groupId, requiredMemberName: `registry_data_${r}`, fqdns: [`${name}.${r}.data.azurecr.io`] })),
    ];
  }
  if (kind === 'mlRegistry') {
    const guid = registryGuid(state, target);
    // Public form, as workspace endpoint NICs report theirs (`<guid>.workspace.<region>.api.azureml.ms`,
    // how-to-custom-dns); the zone group writes it into privatelink.api.azureml.ms. Member names per
    // region and the absence of wildcard names are inferences (no public example of a registry NIC).
    return registryRegions(target).map((r) => ({ groupId, requiredMemberName: `amlregistry_${r}`, fqdns: [`${guid}.registry.${r}.api.azureml.ms`] }));
  }
  return [];
}

/** The registry's stable GUID (not on the wire; used in its private FQDNs and managed RG name). */
export function registryGuid(_state: SimState, registry: ArmResource): string {
  return registryGuidOf(registry);
}

/** Record name of an fqdn in a private zone, or undefined when the name does not belong to it. */
export function recordNameInZone(fqdn: string, zone: string): string | undefined {
  const f = fqdn.toLowerCase().replace(/\.$/, '');
  const z = zone.toLowerCase().replace(/\.$/, '');
  if (f.endsWith(`.${z}`)) return f.slice(0, -(z.length + 1));
  if (z.startsWith('privatelink.')) {
    const pub = z.slice('privatelink.'.length);
    if (f.endsWith(`.${pub}`) && !f.includes('.privatelink.')) return f.slice(0, -(pub.length + 1));
  }
  return undefined;
}

// ---- connections on the target side --------------------------------------------------

export type ConnectionStatus = 'Approved' | 'Pending' | 'Rejected' | 'Disconnected';

export function connectionType(target: ArmResource): string {
  return `${target.type}/privateEndpointConnections`;
}

export function connectionsOf(state: SimState, target: ArmResource): ArmResource[] {
  return state.store.list(connectionType(target), target.id);
}

/** The embedded privateEndpointConnections array on storage/ACR (and registry) GET answers. */
export function embeddedConnections(state: SimState, target: ArmResource): ArmResource[] {
  return connectionsOf(state, target).map((c) => structuredClone(c));
}

/** A copy of a storage account or ACR as GET answers it: with properties.privateEndpointConnections. */
export function withEmbeddedConnections(state: SimState, target: ArmResource): ArmResource {
  const out = structuredClone(target);
  out.properties = { ...(out.properties ?? {}), privateEndpointConnections: embeddedConnections(state, target) };
  return out;
}

export function createConnection(state: SimState, target: ArmResource, privateEndpointId: string, groupId: string, status: ConnectionStatus, description: string): ArmResource {
  const name = `${lastName(privateEndpointId)}.${randomUUID()}`;
  const kind = targetKind(target);
  const stateField = kind === 'mlRegistry' ? 'registryPrivateLinkServiceConnectionState' : 'privateLinkServiceConnectionState';
  const conn: ArmResource = {
    id: `${target.id}/privateEndpointConnections/${name}`,
    name,
    type: connectionType(target),
    properties: {
      privateEndpoint: kind === 'mlRegistry' ? { id: privateEndpointId, subnetArmId: '' } : { id: privateEndpointId },
      [stateField]: kind === 'acr' || kind === 'mlRegistry' ? { status, description, actionsRequired: 'None' } : { status, description, actionRequired: 'None' },
      ...(kind === 'mlRegistry' ? { groupIds: [groupId] } : {}),
      provisioningState: 'Succeeded',
    },
  };
  if (kind === 'mlRegistry') conn.location = target.location;
  return state.store.put(conn);
}

export function connectionState(conn: ArmResource): Record<string, unknown> {
  const p = recOf(conn.properties);
  return recOf(p.registryPrivateLinkServiceConnectionState ?? p.privateLinkServiceConnectionState);
}

export function findConnectionForEndpoint(state: SimState, target: ArmResource, privateEndpointId: string): ArmResource | undefined {
  return connectionsOf(state, target).find((c) => sameId(strOf(recOf(recOf(c.properties).privateEndpoint).id), privateEndpointId));
}

/**
 * Approve/reject through the target's privateEndpointConnections API: updates the connection and
 * mirrors the state into the endpoint's (manual)privateLinkServiceConnections.
 */
export function setConnectionState(state: SimState, conn: ArmResource, newState: Record<string, unknown>): void {
  const status = strOf(newState.status);
  if (!status || !['Approved', 'Pending', 'Rejected', 'Disconnected'].includes(status)) {
    throw new ArmError(400, 'InvalidRequestContent', "The request content was invalid: 'privateLinkServiceConnectionState.status' must be one of Approved, Pending, Rejected, Disconnected.");
  }
  const p = recOf(conn.properties);
  const field = 'registryPrivateLinkServiceConnectionState' in p ? 'registryPrivateLinkServiceConnectionState' : 'privateLinkServiceConnectionState';
  const current = recOf(p[field]);
  const merged = { ...current, status, ...(strOf(newState.description) !== undefined ? { description: strOf(newState.description) } : {}) };
  conn.properties = { ...p, [field]: merged };
  state.store.put(conn);
  const peId = strOf(recOf(p.privateEndpoint).id);
  const pe = peId ? state.store.get(peId) : undefined;
  const targetId = conn.id.split('/privateEndpointConnections/')[0] ?? '';
  if (pe) {
    const pp = recOf(pe.properties);
    for (const field2 of ['privateLinkServiceConnections', 'manualPrivateLinkServiceConnections']) {
      for (const c of arrOf(pp[field2])) {
        const cp = recOf(recOf(c).properties);
        if (sameId(strOf(cp.privateLinkServiceId), targetId)) {
          cp.privateLinkServiceConnectionState = { status, description: merged.description ?? '', actionsRequired: 'None' };
        }
      }
    }
    state.store.put(pe);
  }
}

export function targetOfConnectionPath(id: string): string {
  return id.split('/privateEndpointConnections/')[0] ?? id;
}

export function typeOfId(id: string): string {
  const p = parseArmId(id);
  return p ? typeOf(p) : '';
}
