import type { TokenCredential } from '@azure/core-auth';
import { NetworkManagementClient, type SecurityRule } from '@azure/arm-network';
import type { AzureSim } from '../../../local/azure-sim/server';
import { NET } from '../../../local/world';

/**
 * Workspace subnets for the egress and exfiltration tests, created as the demo user through ARM
 * (like local/world.ts layOutNetwork), in the sandbox VNet (10.20.0.0/16, westeurope).
 */
export const WS = {
  nsg: 'nsg-ws', nsgFull: 'nsg-full',
  subnet: 'snet-ws', subnetNoNsg: 'snet-nonsg', subnetFull: 'snet-full', subnetSep: 'snet-sep',
};

export function networkClient(sim: AzureSim, user: TokenCredential): NetworkManagementClient {
  return new NetworkManagementClient(user, sim.subscriptionId, { endpoint: sim.armEndpoint });
}

const LRO = { updateIntervalInMs: 20 };

export const DENY_ALL_OUT: SecurityRule = { name: 'deny-all-out', protocol: '*', access: 'Deny', direction: 'Outbound', priority: 4000, sourceAddressPrefix: '*', sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: '*' };
/** the owner's allow for AzureMachineLearning, placed after the deny: shadowed */
export const LATE_ALLOW: SecurityRule = { name: 'allow-aml-late', protocol: 'Tcp', access: 'Allow', direction: 'Outbound', priority: 4001, sourceAddressPrefix: 'VirtualNetwork', sourcePortRange: '*', destinationAddressPrefix: 'AzureMachineLearning', destinationPortRanges: ['443', '877', '18881'] };
const ALLOW_MCR: SecurityRule = { name: 'allow-mcr', protocol: 'Tcp', access: 'Allow', direction: 'Outbound', priority: 300, sourceAddressPrefix: 'VirtualNetwork', sourcePortRange: '*', destinationAddressPrefix: 'MicrosoftContainerRegistry', destinationPortRange: '443' };
const INBOUND: SecurityRule = { name: 'deny-all-in', protocol: '*', access: 'Deny', direction: 'Inbound', priority: 4000, sourceAddressPrefix: '*', sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: '*' };

export interface WorkspaceSubnets {
  subnetId: string;
  noNsgSubnetId: string;
  fullSubnetId: string;
  sepSubnetId: string;
  nsgId: string;
  fullNsgId: string;
  /** an existing policy (storage accounts, no alias) attached to the sep subnet */
  otherPolicyId: string;
}

export async function layOutWorkspaceSubnets(sim: AzureSim, user: TokenCredential): Promise<WorkspaceSubnets> {
  const net = networkClient(sim, user);
  const nsg = await net.networkSecurityGroups.createOrUpdate(NET.rg, WS.nsg, { location: NET.location, securityRules: [DENY_ALL_OUT, LATE_ALLOW, ALLOW_MCR, INBOUND] }, LRO);
  // 100..101 taken, a deny-all at 102: no free priority ahead of it
  const full = await net.networkSecurityGroups.createOrUpdate(NET.rg, WS.nsgFull, {
    location: NET.location,
    securityRules: [
      { name: 'p100', protocol: 'Tcp', access: 'Allow', direction: 'Outbound', priority: 100, sourceAddressPrefix: '*', sourcePortRange: '*', destinationAddressPrefix: '10.99.0.0/16', destinationPortRange: '22' },
      { name: 'p101', protocol: 'Tcp', access: 'Allow', direction: 'Outbound', priority: 101, sourceAddressPrefix: '*', sourcePortRange: '*', destinationAddressPrefix: '10.98.0.0/16', destinationPortRange: '22' },
      { ...DENY_ALL_OUT, name: 'deny-early', priority: 102 },
    ],
  }, LRO);
  const other = await net.serviceEndpointPolicies.createOrUpdate(NET.rg, 'sep-accounts', {
    location: NET.location,
    serviceEndpointPolicyDefinitions: [{ name: 'accounts', service: 'Microsoft.Storage', serviceResources: [`/subscriptions/${sim.subscriptionId}/resourceGroups/${NET.rg}`] }],
  }, LRO);
  const vnet = `/subscriptions/${sim.subscriptionId}/resourceGroups/${NET.rg}/providers/Microsoft.Network/virtualNetworks/${NET.vnet}`;
  await net.subnets.createOrUpdate(NET.rg, NET.vnet, WS.subnet, { addressPrefix: '10.20.2.0/24', networkSecurityGroup: { id: nsg.id } }, LRO);
  await net.subnets.createOrUpdate(NET.rg, NET.vnet, WS.subnetNoNsg, { addressPrefix: '10.20.3.0/24' }, LRO);
  await net.subnets.createOrUpdate(NET.rg, NET.vnet, WS.subnetFull, { addressPrefix: '10.20.4.0/24', networkSecurityGroup: { id: full.id } }, LRO);
  await net.subnets.createOrUpdate(NET.rg, NET.vnet, WS.subnetSep, {
    addressPrefix: '10.20.5.0/24',
    networkSecurityGroup: { id: nsg.id },
    serviceEndpoints: [{ service: 'Microsoft.Storage' }, { service: 'Microsoft.KeyVault' }],
    serviceEndpointPolicies: [{ id: other.id }],
  }, LRO);
  return {
    subnetId: `${vnet}/subnets/${WS.subnet}`, noNsgSubnetId: `${vnet}/subnets/${WS.subnetNoNsg}`, fullSubnetId: `${vnet}/subnets/${WS.subnetFull}`, sepSubnetId: `${vnet}/subnets/${WS.subnetSep}`,
    nsgId: nsg.id ?? '', fullNsgId: full.id ?? '', otherPolicyId: other.id ?? '',
  };
}

/** The rules of an NSG as ARM has them now, name → comparable properties. */
export async function rulesOf(sim: AzureSim, user: TokenCredential, nsgName: string): Promise<Map<string, Record<string, unknown>>> {
  const nsg = await networkClient(sim, user).networkSecurityGroups.get(NET.rg, nsgName);
  return new Map((nsg.securityRules ?? []).map((r) => [r.name ?? '', {
    priority: r.priority, access: r.access, direction: r.direction, protocol: r.protocol,
    destinationAddressPrefix: r.destinationAddressPrefix, destinationPortRange: r.destinationPortRange, destinationPortRanges: r.destinationPortRanges,
  }]));
}
