import type { ArmResource } from '../../../local/azure-sim/store';

/** Builders for ARM-shaped resources the simulator's non-ARM parts read from the store. */
export const SUB = '00000000-0000-0000-0000-0000000000aa';
export const RG = `/subscriptions/${SUB}/resourceGroups/rg-net`;

export function vnet(name: string, location = 'eastus'): ArmResource {
  return {
    id: `${RG}/providers/Microsoft.Network/virtualNetworks/${name}`,
    name,
    type: 'Microsoft.Network/virtualNetworks',
    location,
    properties: { addressSpace: { addressPrefixes: ['10.0.0.0/16'] }, provisioningState: 'Succeeded' },
  };
}

export function zone(name: string): ArmResource {
  return {
    id: `${RG}/providers/Microsoft.Network/privateDnsZones/${name}`,
    name,
    type: 'Microsoft.Network/privateDnsZones',
    location: 'global',
    properties: { provisioningState: 'Succeeded', numberOfRecordSets: 1 },
  };
}

export function link(zoneRes: ArmResource, name: string, vnetId: string): ArmResource {
  return {
    id: `${zoneRes.id}/virtualNetworkLinks/${name}`,
    name,
    type: 'Microsoft.Network/privateDnsZones/virtualNetworkLinks',
    location: 'global',
    properties: { virtualNetwork: { id: vnetId }, registrationEnabled: false, virtualNetworkLinkState: 'Completed', provisioningState: 'Succeeded' },
  };
}

export function aRecord(zoneRes: ArmResource, rel: string, ip: string, ttl = 10): ArmResource {
  return {
    id: `${zoneRes.id}/A/${rel}`,
    name: rel,
    type: 'Microsoft.Network/privateDnsZones/A',
    properties: { ttl, fqdn: `${rel}.${zoneRes.name}.`, aRecords: [{ ipv4Address: ip }], isAutoRegistered: false },
  };
}

export function cnameRecord(zoneRes: ArmResource, rel: string, target: string): ArmResource {
  return {
    id: `${zoneRes.id}/CNAME/${rel}`,
    name: rel,
    type: 'Microsoft.Network/privateDnsZones/CNAME',
    properties: { ttl: 300, fqdn: `${rel}.${zoneRes.name}.`, cnameRecord: { cname: target } },
  };
}

export function storageAccount(name: string, rg = `/subscriptions/${SUB}/resourceGroups/azureml-rg-reg1_0000`): ArmResource {
  return {
    id: `${rg}/providers/Microsoft.Storage/storageAccounts/${name}`,
    name,
    type: 'Microsoft.Storage/storageAccounts',
    location: 'eastus',
    kind: 'StorageV2',
    sku: { name: 'Standard_LRS', tier: 'Standard' },
    properties: { publicNetworkAccess: 'Enabled', primaryEndpoints: { blob: `https://${name}.blob.core.windows.net/` }, provisioningState: 'Succeeded' },
  };
}

export function containerRegistry(name: string, rg = `/subscriptions/${SUB}/resourceGroups/azureml-rg-reg1_0000`): ArmResource {
  return {
    id: `${rg}/providers/Microsoft.ContainerRegistry/registries/${name}`,
    name,
    type: 'Microsoft.ContainerRegistry/registries',
    location: 'eastus',
    sku: { name: 'Premium', tier: 'Premium' },
    properties: { loginServer: `${name}.azurecr.io`, publicNetworkAccess: 'Enabled', provisioningState: 'Succeeded' },
  };
}

export function mlRegistry(name: string, regions: string[], opts: { rg?: string; acrId?: string; tenantId?: string } = {}): ArmResource {
  const rg = opts.rg ?? `/subscriptions/${SUB}/resourceGroups/rg-ml`;
  return {
    id: `${rg}/providers/Microsoft.MachineLearningServices/registries/${name}`,
    name,
    type: 'Microsoft.MachineLearningServices/registries',
    location: regions[0] ?? 'eastus',
    ...(opts.tenantId ? { identity: { type: 'SystemAssigned', principalId: '11111111-1111-1111-1111-111111111111', tenantId: opts.tenantId } } : {}),
    properties: {
      publicNetworkAccess: 'Enabled',
      regionDetails: regions.map((location) => ({
        location,
        acrDetails: opts.acrId ? [{ systemCreatedAcrAccount: { acrAccountName: opts.acrId.split('/').pop(), acrAccountSku: 'Premium', armResourceId: { resourceId: opts.acrId } } }] : [],
        storageAccountDetails: [],
      })),
    },
  };
}

export function privateEndpoint(name: string, targetId: string, groupId: string, subnetId = `${RG}/providers/Microsoft.Network/virtualNetworks/vnet-app/subnets/pe`): ArmResource {
  return {
    id: `${RG}/providers/Microsoft.Network/privateEndpoints/${name}`,
    name,
    type: 'Microsoft.Network/privateEndpoints',
    location: 'eastus',
    properties: {
      provisioningState: 'Succeeded',
      subnet: { id: subnetId },
      privateLinkServiceConnections: [
        {
          id: `${RG}/providers/Microsoft.Network/privateEndpoints/${name}/privateLinkServiceConnections/${name}`,
          name,
          type: 'Microsoft.Network/privateEndpoints/privateLinkServiceConnections',
          properties: {
            provisioningState: 'Succeeded',
            privateLinkServiceId: targetId,
            groupIds: [groupId],
            privateLinkServiceConnectionState: { status: 'Approved', description: 'Auto-Approved', actionsRequired: 'None' },
          },
        },
      ],
      manualPrivateLinkServiceConnections: [],
      customDnsConfigs: [],
    },
  };
}
