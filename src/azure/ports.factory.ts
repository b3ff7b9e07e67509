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
import type { NetworkSecurityPort } from '../domain/network-security.port';
import { OutcomePublisherAdapter } from './outcome-publisher.adapter';
import { ResourceGroupsAdapter } from './resource-groups.adapter';
import { ContainerRegistryAdapter, StorageAdapter } from './storage-acr.adapter';

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
  clients: AzureClients;
}

/** Every adapter the app uses, built once from settings over the one client factory. */
export function createPorts(config: Config, credential: TokenCredential = createCredential(config)): Ports {
  const clients = createAzureClients(config, credential);
  const registries = clients.registries();
  const discoveryClient = new ServiceClient({
    ...commonClientOptions({ endpoint: config.ARM_ENDPOINT, scope: config.ARM_SCOPE, maxRetries: config.ARM_MAX_RETRIES, maxRetryAfterSeconds: config.ARM_MAX_RETRY_AFTER_SECONDS }),
    credential,
    credentialScopes: [config.ARM_SCOPE],
  });
  return {
    clients,
    registries: { get: (id) => registries.get(id), put: (r) => registries.createOrUpdate(r) },
    resourceGroups: new ResourceGroupsAdapter(clients.resources),
    network: new NetworkAdapter(clients.network),
    networkSecurity: new NetworkSecurityAdapter(clients.network),
    storage: new StorageAdapter(clients.storage),
    containerRegistry: new ContainerRegistryAdapter(clients.containerRegistry),
    dns: new DnsResolverAdapter(config.DNS_SERVERS),
    discovery: new DiscoveryAdapter(discoveryClient, config.DISCOVERY_URL_TEMPLATE, config.AZURE_CLOUD),
    outcome: new OutcomePublisherAdapter(config.OUTCOME_TOPIC_ENDPOINT ? clients.eventGrid(config.OUTCOME_TOPIC_ENDPOINT) : undefined),
  };
}
