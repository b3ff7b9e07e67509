/**
 * `GET /metadata/endpoints?api-version=…`: how clients register a cloud (the Azure CLI's
 * `az cloud register --endpoint-resource-manager` reads it when other endpoints are not given).
 * ARM answers it without a token. 2015-01-01 (msrestazure's METADATA_ENDPOINT_SUFFIX) has the
 * legacy shape `{ galleryEndpoint, graphEndpoint, portalEndpoint, authentication }`; 2019-05-01
 * lists clouds in the newer shape; 2020-06-01 and later answer the endpoint's own cloud. The first
 * audience is the one the simulator's ARM accepts (clients ask for a token for `audiences[0]`).
 */
export const SIM_CLOUD_NAME = 'SimCloud';
const VERSIONS = ['2015-01-01', '2019-05-01', '2020-06-01', '2022-09-01'];

export function cloudMetadata(armBase: string, apiVersion: string | null): { status: number; body: unknown } {
  const resourceManager = `${armBase}/`;
  const authentication = { loginEndpoint: 'https://login.microsoftonline.com/', audiences: ['https://management.azure.com/', 'https://management.core.windows.net/'], tenant: 'common', identityProvider: 'AAD' };
  if (apiVersion === null) {
    return { status: 400, body: { error: { code: 'MissingApiVersionParameter', message: "The api-version query parameter (?api-version=) is required for all requests." } } };
  }
  if (!VERSIONS.includes(apiVersion)) {
    return { status: 400, body: { error: { code: 'InvalidApiVersionParameter', message: `The api-version '${apiVersion}' is invalid. The supported versions are '${[...VERSIONS].reverse().join(',')}'.` } } };
  }
  if (apiVersion === '2015-01-01') {
    return { status: 200, body: { galleryEndpoint: '', graphEndpoint: 'https://graph.windows.net/', portalEndpoint: 'https://portal.azure.com/', authentication } };
  }
  const cloud = {
    name: SIM_CLOUD_NAME,
    portal: 'https://portal.azure.com',
    authentication,
    resourceManager,
    graph: 'https://graph.windows.net/',
    graphAudience: 'https://graph.windows.net/',
    microsoftGraphResourceId: 'https://graph.microsoft.com/',
    gallery: '',
    suffixes: { storage: 'core.windows.net', acrLoginServer: 'azurecr.io', keyVaultDns: 'vault.azure.net', sqlServerHostname: 'database.windows.net' },
  };
  return { status: 200, body: apiVersion === '2019-05-01' ? [cloud] : cloud };
}
