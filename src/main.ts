import type { TokenCredential } from '@azure/core-auth';
import { ServiceClient } from '@azure/core-client';
import { getConfig, type BaseConfig, type Config } from './config';
import { requestContextOf, type RequestContext } from './http/request';
import type { ContainerRegistryPort, DiscoveryPort, DnsResolverPort, NetworkPort, OperationsPort, OutcomePort, PermissionsPort, RegistryPort, ResourceGroupPort, StoragePort } from './hardening/domain/ports';
import { ArmOperationsAdapter } from './azure/arm-operations.adapter';
import { commonClientOptions } from './azure/arm-pipeline';
import { createAzureClients, createCredential, type AzureClients } from './azure/client-factory';
import { DiscoveryAdapter } from './azure/discovery.adapter';
import { DnsResolverAdapter } from './azure/dns-resolver.adapter';
import { EffectivePermissionsAdapter } from './azure/effective-permissions.adapter';
import { NetworkAdapter } from './azure/network.adapter';
import { NetworkSecurityAdapter } from './azure/network-security.adapter';
import type { ManagementGroupsPort } from './shared/ports';
import { TargetScope } from './shared/target-scope';
import type { NetworkSecurityPort } from './network/domain/ports';
import type { WorkspacePorts } from './workspaces/domain/ports';
import { ManagementGroupsAdapter } from './azure/management-groups.adapter';
import { OutcomePublisherAdapter } from './azure/outcome-publisher.adapter';
import { ResourceGroupsAdapter } from './azure/resource-groups.adapter';
import { ContainerRegistryAdapter, StorageAdapter } from './azure/storage-acr.adapter';
import { StorageNetworkAdapter, TokenTenantAdapter, WorkspacesAdapter } from './azure/workspaces.adapter';

export interface Ports {
  registries: RegistryPort;
  /** one look at a long-running operation an adapter started */
  operations: OperationsPort;
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
  /** TARGET_SUBSCRIPTION_IDS + the members of TARGET_MANAGEMENT_GROUP: every request, event and run is checked against it */
  targetScope: TargetScope;
  /** the app's effective permissions at a scope (plan mode's permission check) */
  permissions: PermissionsPort;
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
export function createPorts(config: BaseConfig, credential: TokenCredential = createCredential(config)): Ports {
  const clients = createAzureClients(config, credential);
  const registries = clients.registries();
  // discovery and management groups: plain requests over one ServiceClient with the SDK clients' options
  const armServiceClient = new ServiceClient({
    ...commonClientOptions({ endpoint: config.ARM_ENDPOINT, scope: config.ARM_SCOPE, maxRetries: config.ARM_MAX_RETRIES, maxRetryAfterSeconds: config.ARM_MAX_RETRY_AFTER_SECONDS, requestTimeoutSeconds: config.ARM_REQUEST_TIMEOUT_SECONDS }),
    credential,
    credentialScopes: [config.ARM_SCOPE],
  });
  const managementGroups = new ManagementGroupsAdapter(armServiceClient, config.ARM_ENDPOINT);
  const topic = config.OUTCOME_TOPIC_ENDPOINT;
  return {
    clients,
    registries: { get: (id) => registries.get(id), put: (r) => registries.createOrUpdate(r), startPut: (r) => registries.startPut(r) },
    operations: new ArmOperationsAdapter(armServiceClient, config.ARM_ENDPOINT),
    resourceGroups: new ResourceGroupsAdapter(clients.resources),
    network: new NetworkAdapter(clients.network, clients.lroPolling, config.ARM_ENDPOINT),
    networkSecurity: new NetworkSecurityAdapter(clients.network, clients.lroPolling),
    storage: new StorageAdapter(clients.storage),
    containerRegistry: new ContainerRegistryAdapter(clients.containerRegistry, clients.lroPolling, config.ARM_ENDPOINT),
    dns: new DnsResolverAdapter(config.DNS_SERVERS),
    discovery: new DiscoveryAdapter(armServiceClient, config.DISCOVERY_URL_TEMPLATE, config.AZURE_CLOUD),
    managementGroups,
    targetScope: new TargetScope({ subscriptionIds: config.TARGET_SUBSCRIPTION_IDS, managementGroupId: config.TARGET_MANAGEMENT_GROUP }, managementGroups),
    permissions: new EffectivePermissionsAdapter(armServiceClient, config.ARM_ENDPOINT),
    workspace: createWorkspacePorts(clients, config.ARM_SCOPE),
    outcome: new OutcomePublisherAdapter(topic ? () => clients.eventGrid(topic) : undefined),
  };
}

/** What every activity and handler gets: settings and the adapters, built once per process. */
export interface ActivityDeps {
  config: Config;
  ports: Ports;
  now: () => Date;
}

let deps: ActivityDeps | undefined;

/** What every HTTP handler checks its request with: who may call, the cloud's regions and the target scope. */
export function requestContext(): RequestContext {
  const { config, ports } = activityDeps();
  return requestContextOf(config, ports.targetScope);
}

/** The app's composition root: settings → one client factory → adapters → ports, once per process. */
export function activityDeps(): ActivityDeps {
  if (!deps) {
    const config = getConfig();
    deps = { config, ports: createPorts(config), now: () => new Date() };
  }
  return deps;
}
