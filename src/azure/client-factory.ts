import type { TokenCredential } from '@azure/core-auth';
import { ServiceClient } from '@azure/core-client';
import type { NetworkManagementClient } from '@azure/arm-network';
import type { StorageManagementClient } from '@azure/arm-storage';
import type { ContainerRegistryManagementClient } from '@azure/arm-containerregistry';
import type { ResourceManagementClient } from '@azure/arm-resources';
import type { AzureMachineLearningWorkspaces } from '@azure/arm-machinelearning';
import type { EventGridPublisherClient } from '@azure/eventgrid';
import type { Config } from '../config';
import type * as Sdk from './sdk';
import { commonClientOptions, type ArmPipelineSettings } from './arm-pipeline';
import { RegistriesAdapter } from './registries.adapter';

/** Settings the factory needs (a slice of Config, so tests and the CLI can build one too). */
export type ClientFactorySettings = Pick<Config, 'AZURE_CLIENT_ID' | 'ARM_ENDPOINT' | 'ARM_SCOPE' | 'ARM_MAX_RETRIES' | 'ARM_MAX_RETRY_AFTER_SECONDS' | 'ARM_LRO_POLL_INTERVAL_MS'> &
  Partial<Pick<Config, 'ARM_REQUEST_TIMEOUT_SECONDS' | 'ARM_LRO_DEADLINE_SECONDS'>>;

export interface AzureClients {
  readonly credential: TokenCredential;
  /** the options every long-running operation the app waits on is polled with (ARM's Retry-After wins) */
  readonly lroPolling: { readonly updateIntervalInMs: number; readonly deadlineSeconds?: number };
  network: ClientOf<NetworkManagementClient>;
  storage: ClientOf<StorageManagementClient>;
  containerRegistry: ClientOf<ContainerRegistryManagementClient>;
  resources: ClientOf<ResourceManagementClient>;
  machineLearning: ClientOf<AzureMachineLearningWorkspaces>;
  registries(): RegistriesAdapter;
  eventGrid(topicEndpoint: string): Promise<EventGridPublisherClient<'CloudEvent'>>;
}

/** An SDK client for a subscription: built on first use, then the same one each time (./sdk.ts is loaded then, not before). */
export type ClientOf<T> = (subscriptionId: string) => Promise<T>;

/** The SDK's client classes and the credential chain, loaded on first use: no function needs them to register (./sdk.ts). */
const sdk = (): Promise<typeof Sdk> => import('./sdk');

/**
 * The real credential chain: managed identity in Azure (user-assigned via AZURE_CLIENT_ID),
 * developer sign-in elsewhere. Made when the first token is asked for (@azure/identity is in ./sdk.ts).
 */
export function createCredential(settings: Pick<ClientFactorySettings, 'AZURE_CLIENT_ID'>): TokenCredential {
  let chain: Promise<TokenCredential> | undefined;
  return {
    async getToken(scopes, options) {
      chain ??= sdk().then(({ DefaultAzureCredential }) =>
        settings.AZURE_CLIENT_ID ? new DefaultAzureCredential({ managedIdentityClientId: settings.AZURE_CLIENT_ID }) : new DefaultAzureCredential(),
      );
      return (await chain).getToken(scopes, options);
    },
  };
}

/** One client per key (case-insensitive); a client that could not be made is tried again next time. */
function memo<T>(make: (key: string) => Promise<T>): (key: string) => Promise<T> {
  const cache = new Map<string, Promise<T>>();
  return (key) => {
    const k = key.toLowerCase();
    let v = cache.get(k);
    if (v === undefined) {
      v = make(key);
      cache.set(k, v);
      v.catch(() => cache.delete(k));
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
    network: memo(async (sub) => new (await sdk()).NetworkManagementClient(credential, sub, modular)),
    storage: memo(async (sub) => new (await sdk()).StorageManagementClient(credential, sub, modular)),
    containerRegistry: memo(async (sub) => new (await sdk()).ContainerRegistryManagementClient(credential, sub, modular)),
    resources: memo(async (sub) => new (await sdk()).ResourceManagementClient(credential, sub, modular)),
    machineLearning: memo(async (sub) => new (await sdk()).AzureMachineLearningWorkspaces(credential, sub, classic)),
    registries: () => {
      registries ??= new RegistriesAdapter(new ServiceClient({ ...common, credential, credentialScopes: [settings.ARM_SCOPE] }), settings.ARM_ENDPOINT, lroPolling);
      return registries;
    },
    eventGrid: memo(async (endpoint) => {
      const { endpoint: _armEndpoint, ...options } = common;
      return new (await sdk()).EventGridPublisherClient(endpoint, 'CloudEvent', credential, options);
    }),
  };
}
