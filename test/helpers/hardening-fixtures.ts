import { toRegistryId } from '../../src/hardening/domain/registry';
import type { EndpointInfo, EndpointPlacement, HardenInput, RegistryReading, Target, TargetState } from '../../src/hardening/domain/hardening';
import { DEFAULT_HARDEN_OPTIONS } from '../../src/hardening/domain/harden-input';

/** Plain objects for the hardening job: a two-region registry (eastus home, westeurope). */
export const SUB = '00000000-0000-0000-0000-000000000001';
export const REGISTRY_ID = toRegistryId(`/subscriptions/${SUB}/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/registries/reg1`);
const MANAGED = `/subscriptions/${SUB}/resourceGroups/azureml-rg-reg1_11111111-2222-3333-4444-555555555555`;
export const SUBNET_ID = `/subscriptions/${SUB}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-ml/subnets/snet-pe`;
const zone = (name: string) => `/subscriptions/${SUB}/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/${name}`;
export const ZONES = {
  amlregistry: zone('privatelink.api.azureml.ms'),
  blob: zone('privatelink.blob.core.windows.net'),
  registry: zone('privatelink.azurecr.io'),
} as const;

export const TARGETS: Target[] = [
  { kind: 'registry', id: REGISTRY_ID, name: 'reg1', region: 'eastus' },
  { kind: 'storage', id: `${MANAGED}/providers/Microsoft.Storage/storageAccounts/streg1eastus`, name: 'streg1eastus', region: 'eastus' },
  { kind: 'storage', id: `${MANAGED}/providers/Microsoft.Storage/storageAccounts/streg1westeurope`, name: 'streg1westeurope', region: 'westeurope' },
  { kind: 'acr', id: `${MANAGED}/providers/Microsoft.ContainerRegistry/registries/crreg1`, name: 'crreg1', region: 'eastus' },
];

export const PLACEMENT: EndpointPlacement = {
  subnetId: SUBNET_ID,
  subscriptionId: SUB,
  resourceGroup: 'rg-endpoints',
  location: 'eastus',
  zoneIds: ZONES,
};

export function readyReading(overrides: Partial<Extract<RegistryReading, { status: 'ready' }>> = {}): RegistryReading {
  return {
    status: 'ready',
    registryId: REGISTRY_ID,
    name: 'reg1',
    location: 'eastus',
    regions: ['eastus', 'westeurope'],
    exempt: false,
    managedResourceGroupId: MANAGED,
    targets: TARGETS,
    resolvedBy: 'properties',
    ...overrides,
  };
}

const GROUP = { registry: 'amlregistry', storage: 'blob', acr: 'registry' } as const;

export function endpoint(target: Target, name: string, overrides: Partial<EndpointInfo> = {}): EndpointInfo {
  const groupId = GROUP[target.kind];
  return {
    id: `/subscriptions/${SUB}/resourceGroups/rg-endpoints/providers/Microsoft.Network/privateEndpoints/${name}`,
    name,
    subnetId: SUBNET_ID,
    location: 'eastus',
    targetId: target.id,
    groupIds: [groupId],
    connectionStatus: 'Approved',
    provisioningState: 'Succeeded',
    zoneGroups: [{ name: 'default', zoneIds: [ZONES[groupId]] }],
    ...overrides,
  };
}

export function freshStates(): TargetState[] {
  return TARGETS.map((target) => ({ target, publicNetworkAccess: 'Enabled', endpoints: [] }));
}

export function input(overrides: Partial<HardenInput> = {}, options: Partial<HardenInput['options']> = {}): HardenInput {
  return {
    registryId: REGISTRY_ID,
    mode: 'apply',
    trigger: 'eventgrid',
    triggeredAt: '2026-03-01T09:59:00.000Z',
    ...overrides,
    options: { ...DEFAULT_HARDEN_OPTIONS, dnsRetrySeconds: 30, approvalPollSeconds: 60, ...options },
  };
}
