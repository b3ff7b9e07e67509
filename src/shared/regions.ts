/**
 * Azure region names per cloud. A region must be in this list before it is put into a host
 * name (registry discovery sends an ARM token there). Sovereign clouds via AZURE_CLOUD.
 */
export type AzureCloud = 'AzurePublicCloud' | 'AzureUSGovernment' | 'AzureChinaCloud';

const PUBLIC = [
  'eastus', 'eastus2', 'westus', 'westus2', 'westus3', 'centralus', 'northcentralus', 'southcentralus', 'westcentralus',
  'canadacentral', 'canadaeast', 'brazilsouth', 'brazilsoutheast', 'mexicocentral', 'chilecentral',
  'northeurope', 'westeurope', 'uksouth', 'ukwest', 'francecentral', 'francesouth', 'germanywestcentral', 'germanynorth',
  'switzerlandnorth', 'switzerlandwest', 'norwayeast', 'norwaywest', 'swedencentral', 'swedensouth', 'polandcentral',
  'italynorth', 'spaincentral', 'austriaeast', 'belgiumcentral', 'denmarkeast',
  'eastasia', 'southeastasia', 'japaneast', 'japanwest', 'koreacentral', 'koreasouth', 'australiaeast', 'australiasoutheast',
  'australiacentral', 'australiacentral2', 'centralindia', 'southindia', 'westindia', 'jioindiawest', 'jioindiacentral',
  'uaenorth', 'uaecentral', 'qatarcentral', 'israelcentral', 'southafricanorth', 'southafricawest', 'newzealandnorth',
  'indonesiacentral', 'malaysiawest',
] as const;

const REGIONS: Readonly<Record<AzureCloud, ReadonlySet<string>>> = {
  AzurePublicCloud: new Set(PUBLIC),
  AzureUSGovernment: new Set(['usgovvirginia', 'usgovarizona', 'usgovtexas', 'usdodeast', 'usdodcentral']),
  AzureChinaCloud: new Set(['chinaeast', 'chinaeast2', 'chinaeast3', 'chinanorth', 'chinanorth2', 'chinanorth3']),
};

/** ARM location names are lower-case without spaces; display names ("West Europe") are normalised. */
export function normalizeRegion(region: string): string {
  return region.replace(/\s+/g, '').toLowerCase();
}

export function isKnownRegion(region: string, cloud: AzureCloud = 'AzurePublicCloud'): boolean {
  return REGIONS[cloud].has(normalizeRegion(region));
}

export function knownRegions(cloud: AzureCloud = 'AzurePublicCloud'): string[] {
  return [...REGIONS[cloud]];
}
