import { ErrorCodes, LockdownError } from './errors';

/**
 * ARM resource ids, parsed and compared the way ARM treats them: case-insensitive segment
 * names and values, tolerant of a trailing slash, strict about structure.
 */
export interface ResourceId {
  /** the id as given, without trailing slashes */
  readonly id: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string | undefined;
  /** e.g. Microsoft.Network; undefined for a subscription or resource group id */
  readonly provider: string | undefined;
  /** e.g. privateEndpoints/privateDnsZoneGroups */
  readonly types: readonly string[];
  readonly names: readonly string[];
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SEGMENT = /^[^/?#\s]+$/;

export function isGuid(value: string): boolean {
  return GUID.test(value);
}

function invalid(id: string, why: string): LockdownError {
  return new LockdownError(ErrorCodes.ARM_ID_INVALID, `'${id}' is not a valid ARM resource id: ${why}.`);
}

export function parseResourceId(input: string): ResourceId {
  if (typeof input !== 'string' || input.trim() === '') throw invalid(String(input), 'it is empty');
  const id = input.trim().replace(/\/+$/, '');
  if (!id.startsWith('/')) throw invalid(id, "it must start with '/subscriptions/'");
  const parts = id.slice(1).split('/');
  if (parts.some((p) => !SEGMENT.test(p))) throw invalid(id, 'it has an empty or malformed segment');
  if (parts[0]?.toLowerCase() !== 'subscriptions' || parts[1] === undefined) throw invalid(id, "it must start with '/subscriptions/{subscriptionId}'");
  const subscriptionId = parts[1];
  if (!isGuid(subscriptionId)) throw invalid(id, `subscription id '${subscriptionId}' is not a GUID`);
  let i = 2;
  let resourceGroup: string | undefined;
  if (parts[i]?.toLowerCase() === 'resourcegroups') {
    resourceGroup = parts[i + 1];
    if (resourceGroup === undefined) throw invalid(id, 'the resource group name is missing');
    i += 2;
  }
  if (i === parts.length) {
    return { id, subscriptionId, resourceGroup, provider: undefined, types: [], names: [] };
  }
  if (parts[i]?.toLowerCase() !== 'providers' || parts[i + 1] === undefined) throw invalid(id, "expected '/providers/{namespace}' after the scope");
  const provider = parts[i + 1] as string;
  if (!/^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)+$/.test(provider)) throw invalid(id, `'${provider}' is not a provider namespace`);
  const rest = parts.slice(i + 2);
  if (rest.length === 0 || rest.length % 2 !== 0) throw invalid(id, 'resource types and names must come in pairs');
  const types: string[] = [];
  const names: string[] = [];
  for (let k = 0; k < rest.length; k += 2) {
    types.push(rest[k] as string);
    names.push(rest[k + 1] as string);
  }
  return { id, subscriptionId, resourceGroup, provider, types, names };
}

/** `Microsoft.Network/privateEndpoints/privateDnsZoneGroups` */
export function fullTypeOf(rid: ResourceId): string | undefined {
  return rid.provider === undefined ? undefined : [rid.provider, ...rid.types].join('/');
}

export function nameOf(rid: ResourceId): string {
  return rid.names[rid.names.length - 1] ?? rid.resourceGroup ?? rid.subscriptionId;
}

/**
 * The last segment of an id (the resource's name), for display and readable names: trailing
 * slashes are ignored and the id is not checked, so one that is not well-formed still shows.
 */
export function lastSegmentOf(id: string): string {
  return id.replace(/\/+$/, '').split('/').pop() ?? id;
}

export function normalizeResourceId(id: string): string {
  return parseResourceId(id).id.toLowerCase();
}

export function sameResourceId(a: string, b: string): boolean {
  try {
    return normalizeResourceId(a) === normalizeResourceId(b);
  } catch {
    return false;
  }
}

export function isResourceOfType(id: string, fullType: string): boolean {
  try {
    return fullTypeOf(parseResourceId(id))?.toLowerCase() === fullType.toLowerCase();
  } catch {
    return false;
  }
}

/** Parses and requires a given resource type; throws ARM_ID.INVALID naming the expectation. */
export function parseResourceIdOfType(id: string, fullType: string): ResourceId & { resourceGroup: string } {
  const rid = parseResourceId(id);
  if (fullTypeOf(rid)?.toLowerCase() !== fullType.toLowerCase()) {
    throw invalid(rid.id, `expected a ${fullType} id`);
  }
  if (rid.resourceGroup === undefined) throw invalid(rid.id, 'the resource group is missing');
  return rid as ResourceId & { resourceGroup: string };
}

declare const ARM_TYPE: unique symbol;

/**
 * An ARM id known to be a well-formed id of resource type T: a plain string at run time (JSON,
 * durable history), a distinct type at compile time. Only `armIdOf` makes one, so an id is
 * parsed once, where it enters (HTTP request, event, CLI argument, orchestration input), and
 * code past the boundary cannot be handed an unchecked string by mistake.
 */
export type ArmId<T extends string> = string & { readonly [ARM_TYPE]: T };

export const ArmTypes = {
  registry: 'Microsoft.MachineLearningServices/registries',
  workspace: 'Microsoft.MachineLearningServices/workspaces',
  subnet: 'Microsoft.Network/virtualNetworks/subnets',
  privateEndpoint: 'Microsoft.Network/privateEndpoints',
} as const;

export type RegistryId = ArmId<typeof ArmTypes.registry>;
export type WorkspaceId = ArmId<typeof ArmTypes.workspace>;
export type SubnetId = ArmId<typeof ArmTypes.subnet>;
export type PrivateEndpointId = ArmId<typeof ArmTypes.privateEndpoint>;

/** Parses `id` as an id of `fullType` (throws ARM_ID.INVALID otherwise) and answers it, trimmed, as that type. */
export function armIdOf<T extends string>(id: string, fullType: T): ArmId<T> {
  return parseResourceIdOfType(id, fullType).id as ArmId<T>;
}

export function resourceGroupId(subscriptionId: string, resourceGroup: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}`;
}
