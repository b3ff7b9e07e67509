import type { ConnectionStatus, EndpointInfo, ZoneGroupInfo } from './hardening';
import type { OperationHandle, OperationLocation, OperationPoll } from './operations';
import type { Registry } from './registry';

/**
 * What the activities need from Azure, as interfaces over domain types. The adapters in
 * src/azure implement them with the real SDK clients; nothing here knows about HTTP.
 */
export interface RegistryPort {
  get(id: string): Promise<Registry | undefined>;
  /** PUT the whole registry back with publicNetworkAccess Disabled (PATCH cannot change it). */
  put(registry: Registry): Promise<Registry>;
  /** The same PUT, answered at once: the operation it started (the registry's PUT is long-running), or none when ARM answered synchronously. */
  startPut(registry: Registry): Promise<{ operation?: OperationLocation }>;
}

/** The long-running operations the adapters started: one look at one (a GET of its URL, never a wait). */
export interface OperationsPort {
  poll(operation: OperationHandle): Promise<OperationPoll>;
}

export interface ResourceGroupPort {
  /** resources of a type in a resource group (the managed-RG fallback) */
  listResources(resourceGroupId: string, fullType: string): Promise<Array<{ id: string; name: string; location: string }>>;
  /** resource groups of a subscription whose name matches */
  listResourceGroups(subscriptionId: string): Promise<Array<{ id: string; name: string }>>;
}

/** A storage account or container registry: its public access and the endpoints connected to it. */
export interface NetworkedResource {
  id: string;
  location: string;
  publicNetworkAccess: string;
  privateEndpointIds: string[];
  sku?: string;
  /** ARM's provisioningState (an operation in flight shows e.g. Updating) */
  provisioningState?: string;
}

export interface StoragePort {
  get(id: string): Promise<NetworkedResource | undefined>;
  disablePublicNetworkAccess(id: string): Promise<NetworkedResource>;
}

export interface ContainerRegistryPort {
  get(id: string): Promise<NetworkedResource | undefined>;
  disablePublicNetworkAccess(id: string): Promise<NetworkedResource>;
  /** The PATCH, answered at once: the operation it started, or none when ARM answered synchronously. */
  startDisablePublicNetworkAccess(id: string): Promise<{ operation?: OperationLocation }>;
}

export interface EndpointSpec {
  id: string;
  location: string;
  subnetId: string;
  targetId: string;
  groupId: string;
  connectionName: string;
  tags: Record<string, string>;
  /** request a manual connection (manualPrivateLinkServiceConnections: Pending until the target's owner approves) */
  manual?: boolean;
  requestMessage?: string;
}

/** A name on an endpoint and the private IP ARM gave it. */
export interface EndpointName {
  fqdn: string;
  ip: string;
}

export interface NetworkPort {
  subnetLocation(subnetId: string): Promise<string>;
  getEndpoint(id: string): Promise<EndpointInfo | undefined>;
  createEndpoint(spec: EndpointSpec): Promise<EndpointInfo>;
  listZoneGroups(endpointId: string): Promise<ZoneGroupInfo[]>;
  putZoneGroup(endpointId: string, name: string, zoneId: string): Promise<void>;
  /** the endpoint's target and its names from the NICs' privateLinkConnectionProperties and the zone groups' record sets; undefined when it does not exist */
  endpointNames(endpointId: string): Promise<{ targetId: string; nicNames: EndpointName[]; zoneRecords: EndpointName[] } | undefined>;
  /** every private endpoint of a resource group, in one list (their zone groups are not read) */
  listEndpoints(subscriptionId: string, resourceGroup: string): Promise<EndpointInfo[]>;
  /** one GET with the NICs expanded: the endpoint (zone groups not read) and its NICs' names; undefined when it does not exist */
  endpointWithNicNames(endpointId: string): Promise<{ endpoint: EndpointInfo; nicNames: EndpointName[] } | undefined>;
  /** The endpoint PUT, answered at once: the endpoint as ARM answered it and the operation it started. */
  startEndpoint(spec: EndpointSpec): Promise<{ endpoint: EndpointInfo; operation?: OperationLocation }>;
  /** The zone group PUT, answered at once. */
  startZoneGroup(endpointId: string, name: string, zoneId: string): Promise<{ operation?: OperationLocation }>;
}

export interface DnsAnswer {
  addresses: string[];
  chain: string[];
  error?: string;
}

export interface DnsResolverPort {
  resolve(fqdn: string): Promise<DnsAnswer>;
}

export interface DiscoveryDocument {
  registryName?: string;
  primaryRegion?: string;
  regions?: string[];
  registryFqdns?: Record<string, { uri?: string }>;
  [field: string]: unknown;
}

export interface DiscoveryPort {
  discover(region: string, registryName: string): Promise<DiscoveryDocument>;
}

export interface OutcomePort {
  /** sends one CloudEvent with this id (the same id for a retried send); false when no topic is configured */
  publish(event: { id: string; type: string; subject: string; data: unknown }): Promise<boolean>;
}

export type { ConnectionStatus };

/** The app's own effective permissions at an ARM scope (ARM's permissions API). */
export interface PermissionsPort {
  effectivePermissions(scope: string): Promise<Array<{ actions: string[]; notActions: string[] }>>;
}
