import { loadConfig } from '../../src/config';

/** The smallest valid set of app settings (the four required ids), for tests of settings validation. */
export const SUB = '0b1f6471-1bf0-4dda-aec3-cb9272f09590';
export const zone = (z: string): string => `/subscriptions/${SUB}/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/${z}`;
export const VALID = {
  PRIVATE_ENDPOINT_SUBNET_ID: `/subscriptions/${SUB}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/pe`,
  PRIVATE_DNS_ZONE_ID_API_AZUREML: zone('privatelink.api.azureml.ms'),
  PRIVATE_DNS_ZONE_ID_BLOB: zone('privatelink.blob.core.windows.net'),
  PRIVATE_DNS_ZONE_ID_ACR: zone('privatelink.azurecr.io'),
};

/** The message loadConfig refuses `env` with; fails the test when it accepts it. */
export function configError(env: Record<string, string | undefined>): string {
  try {
    loadConfig(env);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('loadConfig accepted the settings');
}
