import { DefaultAzureCredential } from '@azure/identity';
import type { TokenCredential } from '@azure/core-auth';
import { ServiceClient } from '@azure/core-client';
import { NetworkManagementClient } from '@azure/arm-network';
import { StorageManagementClient } from '@azure/arm-storage';
import { ContainerRegistryManagementClient } from '@azure/arm-containerregistry';
import { PrivateDnsManagementClient } from '@azure/arm-privatedns';
import { ResourceManagementClient } from '@azure/arm-resources';
import { AzureMachineLearningWorkspaces } from '@azure/arm-machinelearning';
import { EventGridPublisherClient } from '@azure/eventgrid';
import type { Config } from '../config';
import { commonClientOptions, type ArmPipelineSettings } from './arm-pipeline';
import { RegistriesAdapter } from './registries.adapter';

/** Settings the factory needs (a slice of Config, so tests and the CLI can build one too). */
export type ClientFactorySettings = Pick<Config, 'AZURE_CLIENT_ID' | 'ARM_ENDPOINT' | 'ARM_SCOPE' | 'ARM_MAX_RETRIES' | 'ARM_MAX_RETRY_AFTER_SECONDS' | 'ARM_LRO_POLL_INTERVAL_MS'> &
  Partial<Pick<Config, 'ARM_REQUEST_TIMEOUT_SECONDS' | 'ARM_LRO_DEADLINE_SECONDS'>>;

export interface AzureClients {
  readonly credential: TokenCredential;
  /** the options every long-running operation the app waits on is polled with (ARM's Retry-After wins) */
  readonly lroPolling: { readonly updateIntervalInMs: number; readonly deadlineSeconds?: number };
  network(subscriptionId: string): NetworkManagementClient;
  storage(subscriptionId: string): StorageManagementClient;
  containerRegistry(subscriptionId: string): ContainerRegistryManagementClient;
  privateDns(subscriptionId: string): PrivateDnsManagementClient;
  resources(subscriptionId: string): ResourceManagementClient;
  machineLearning(subscriptionId: string): AzureMachineLearningWorkspaces;
  registries(): RegistriesAdapter;
  eventGrid(topicEndpoint: string): EventGridPublisherClient<'CloudEvent'>;
}

/** The real credential chain: managed identity in Azure (user-assigned via AZURE_CLIENT_ID), developer sign-in elsewhere. */
export function createCredential(settings: Pick<ClientFactorySettings, 'AZURE_CLIENT_ID'>): TokenCredential {
  return settings.AZURE_CLIENT_ID
    ? new DefaultAzureCredential({ managedIdentityClientId: settings.AZURE_CLIENT_ID })
    : new DefaultAzureCredential();
}

function memo<T>(make: (key: string) => T): (key: string) => T {
  const cache = new Map<string, T>();
  return (key) => {
    const k = key.toLowerCase();
    let v = cache.get(k);
    if (v === undefined) {
      v = make(key);
      cache.set(k, v);
    }
    return v;
  };
}

/**
 * The one place that builds Azure clients: one credential, the configured ARM endpoint, one
 * retry policy honouring Retry-After up to a cap, one LRO poll interval for when ARM sends no
 * Retry-After, and our user agent. Running against a local ARM changes settings only.
 */
export function createAzureClients(settings: ClientFactorySettings, credential: TokenCredential = createCredential(settings)): AzureClients {
  const pipeline: ArmPipelineSettings = {
    endpoint: settings.ARM_ENDPOINT,
    scope: settings.ARM_SCOPE,
    maxRetries: settings.ARM_MAX_RETRIES,
    maxRetryAfterSeconds: settings.ARM_MAX_RETRY_AFTER_SECONDS,
    ...(settings.ARM_REQUEST_TIMEOUT_SECONDS ? { requestTimeoutSeconds: settings.ARM_REQUEST_TIMEOUT_SECONDS } : {}),
  };
  const common = commonClientOptions(pipeline);
  const modular = { ...common, credentials: { scopes: [settings.ARM_SCOPE] } };
  const classic = { ...common, credentialScopes: [settings.ARM_SCOPE], endpoint: settings.ARM_ENDPOINT, $host: settings.ARM_ENDPOINT };

  const lroPolling = Object.freeze({ updateIntervalInMs: settings.ARM_LRO_POLL_INTERVAL_MS, ...(settings.ARM_LRO_DEADLINE_SECONDS ? { deadlineSeconds: settings.ARM_LRO_DEADLINE_SECONDS } : {}) });

  let registries: RegistriesAdapter | undefined;
  return {
    credential,
    lroPolling,
    network: memo((sub) => new NetworkManagementClient(credential, sub, modular)),
    storage: memo((sub) => new StorageManagementClient(credential, sub, modular)),
    containerRegistry: memo((sub) => new ContainerRegistryManagementClient(credential, sub, modular)),
    privateDns: memo((sub) => new PrivateDnsManagementClient(credential, sub, modular)),
    resources: memo((sub) => new ResourceManagementClient(credential, sub, modular)),
    machineLearning: memo((sub) => new AzureMachineLearningWorkspaces(credential, sub, classic)),
    registries: () => {
      registries ??= new RegistriesAdapter(new ServiceClient({ ...common, credential, credentialScopes: [settings.ARM_SCOPE] }), settings.ARM_ENDPOINT, lroPolling);
      return registries;
    },
    eventGrid: memo((endpoint) => {
      const { endpoint: _armEndpoint, ...options } = common;
      return new EventGridPublisherClient(endpoint, 'CloudEvent', credential, options);
    }),
  };
}
