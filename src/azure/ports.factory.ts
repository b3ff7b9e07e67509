import type { TokenCredential } from '@azure/core-auth';
import { ServiceClient } from '@azure/core-client';
import type { Config } from '../config';
import type { ContainerRegistryPort, DiscoveryPort, DnsResolverPort, NetworkPort, OutcomePort, RegistryPort, ResourceGroupPort, StoragePort } from '../domain/ports';
import { commonClientOptions } from './arm-pipeline';
import { createAzureClients, createCredential, type AzureClients } from './client-factory';
import { DiscoveryAdapter } from './discovery.adapter';
import { DnsResolverAdapter } from './dns-resolver.adapter';
import { NetworkAdapter } from './network.adapter';
import { NetworkSecurityAdapter } from './network-security.adapter';
import type { ManagementGroupsPort } from '../domain/management-groups.port';
import type { NetworkSecurityPort } from '../domain/network-security.port';
import type { WorkspacePorts } from '../domain/workspace-ports';
import { ManagementGroupsAdapter } from './management-groups.adapter';
import { OutcomePublisherAdapter } from './outcome-publisher.adapter';
import { ResourceGroupsAdapter } from './resource-groups.adapter';
import { ContainerRegistryAdapter, StorageAdapter } from './storage-acr.adapter';
import { StorageNetworkAdapter, TokenTenantAdapter, WorkspacesAdapter } from './workspaces.adapter';

export interface Ports {
  registries: RegistryPort;
  resourceGroups: ResourceGroupPort;
  network: NetworkPort;
  /** NSG rules, subnets' service endpoints, service endpoint policies (egress check, exfiltration protection) */
  networkSecurity: NetworkSecurityPort;
  storage: StoragePort;
  containerRegistry: ContainerRegistryPort;
  dns: DnsResolverPort;
  discovery: DiscoveryAdapter & DiscoveryPort;
  outcome: OutcomePort;
  /** the subscriptions under a management group (TARGET_MANAGEMENT_GROUP) */
  managementGroups: ManagementGroupsPort;
  /** workspaces, their storage accounts' network rules, the app's tenant (workspace capabilities) */
  workspace: WorkspacePorts;
  clients: AzureClients;
}

/** The workspace capabilities' adapters over the one client factory. */
export function createWorkspacePorts(clients: AzureClients, armScope: string): WorkspacePorts {
  const registries = clients.registries();
  return {
    workspaces: new WorkspacesAdapter(clients.machineLearning),
    storageNetwork: new StorageNetworkAdapter(clients.storage),
    tenant: new TokenTenantAdapter(clients.credential, armScope),
    registries: { get: (id) => registries.get(id) },
  };
}

/** Every adapter the app uses, built once from settings over the one client factory. */
export function createPorts(config: Config, credential: TokenCredential = createCredential(config)): Ports {
  const clients = createAzureClients(config, credential);
  const registries = clients.registries();
  // discovery and management groups: plain requests over one ServiceClient with the SDK clients' options
  const armServiceClient = new ServiceClient({
    ...commonClientOptions({ endpoint: config.ARM_ENDPOINT, scope: config.ARM_SCOPE, maxRetries: config.ARM_MAX_RETRIES, maxRetryAfterSeconds: config.ARM_MAX_RETRY_AFTER_SECONDS, requestTimeoutSeconds: config.ARM_REQUEST_TIMEOUT_SECONDS }),
    credential,
    credentialScopes: [config.ARM_SCOPE],
  });
  return {
    clients,
    registries: { get: (id) => registries.get(id), put: (r) => registries.createOrUpdate(r) },
    resourceGroups: new ResourceGroupsAdapter(clients.resources),
    network: new NetworkAdapter(clients.network, clients.lroPolling),
    networkSecurity: new NetworkSecurityAdapter(clients.network, clients.lroPolling),
    storage: new StorageAdapter(clients.storage),
    containerRegistry: new ContainerRegistryAdapter(clients.containerRegistry, clients.lroPolling),
    dns: new DnsResolverAdapter(config.DNS_SERVERS),
    discovery: new DiscoveryAdapter(armServiceClient, config.DISCOVERY_URL_TEMPLATE, config.AZURE_CLOUD),
    managementGroups: new ManagementGroupsAdapter(armServiceClient, config.ARM_ENDPOINT),
    workspace: createWorkspacePorts(clients, config.ARM_SCOPE),
    outcome: new OutcomePublisherAdapter(config.OUTCOME_TOPIC_ENDPOINT ? clients.eventGrid(config.OUTCOME_TOPIC_ENDPOINT) : undefined),
  };
}
