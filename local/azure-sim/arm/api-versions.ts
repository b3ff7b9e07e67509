/**
 * api-versions accepted per resource type group. Real ARM serves every published version of a
 * resource type, so a client from years ago (Debian's Azure CLI 2.45 sends network 2022-01-01,
 * ACR 2022-02-01-preview) works against it. The lists are the api-version folders of each
 * provider in Azure/azure-rest-api-specs (`specification/<provider>/resource-manager/<namespace>/
 * stable|preview/<version>`; the few copied to ../shared/reference/azure-rest/specs are among
 * them), from the first version that has the resource types the simulator serves, plus the
 * versions today's SDK packages send. Order: newest first (ARM lists them in its error message).
 *
 * Older versions get the same answers: every field an older spec has keeps its name and meaning
 * in the newer ones for the types served here, and clients ignore fields they do not know
 * (the Azure CLI's AAZ and msrest deserializers do). Where a version renamed a field (the ML
 * registry's `privateEndpointConnections` → `registryPrivateEndpointConnections` after
 * 2023-04-01), the newer name is served: see local/azure-sim/README.md.
 */
export type ApiGroup =
  | 'resources'
  | 'subscriptions'
  | 'authorization'
  | 'mlRegistries'
  | 'mlWorkspaces'
  | 'network'
  | 'privateDns'
  | 'storage'
  | 'containerRegistry'
  | 'managementGroups';

export const API_VERSIONS: Record<ApiGroup, readonly string[]> = {
  // Microsoft.Resources (resource groups, resources, providers); @azure/arm-resources 8.0.0 sends 2025-04-01; spec kept 2024-03-01.
  resources: [
    '2025-04-01', '2025-03-01', '2025-01-01', '2024-11-01', '2024-07-01', '2024-03-01', '2023-07-01', '2022-09-01', '2021-04-01', '2021-01-01',
    '2020-10-01', '2020-08-01', '2020-06-01', '2019-10-01', '2019-08-01', '2019-07-01', '2019-05-10', '2019-05-01', '2019-03-01', '2018-05-01',
    '2018-02-01', '2017-05-10', '2016-09-01', '2016-07-01', '2016-02-01', '2015-11-01',
  ],
  // Microsoft.Resources subscriptions and tenants (`az login` sends 2019-11-01 / 2022-12-01).
  subscriptions: ['2022-12-01', '2021-01-01', '2020-01-01', '2019-11-01', '2019-06-01', '2018-06-01', '2016-06-01', '2015-11-01'],
  // Microsoft.Authorization permissions (Permissions_ListForResourceGroup / _ListForResource).
  authorization: ['2022-04-01', '2018-01-01-preview', '2015-07-01'],
  // registries appear in 2022-12-01-preview; stable from 2023-04-01; spec kept 2025-12-01 (what this project uses).
  mlRegistries: [
    '2025-12-01', '2025-09-01', '2025-06-01', '2025-01-01-preview', '2024-10-01', '2024-10-01-preview', '2024-07-01-preview', '2024-04-01',
    '2024-04-01-preview', '2024-01-01-preview', '2023-10-01', '2023-08-01-preview', '2023-06-01-preview', '2023-04-01', '2023-04-01-preview',
    '2023-02-01-preview', '2022-12-01-preview',
  ],
  // workspaces, online endpoints and deployments: @azure/arm-machinelearning 2.1.1 sends 2022-10-01.
  mlWorkspaces: [
    '2025-12-01', '2025-09-01', '2025-06-01', '2024-10-01', '2024-04-01', '2023-10-01', '2023-04-01', '2022-10-01', '2022-05-01', '2021-07-01',
    '2021-04-01', '2021-01-01', '2020-08-01', '2020-06-01', '2020-04-01', '2020-03-01', '2020-01-01', '2019-11-01', '2019-06-01', '2019-05-01',
  ],
  // Microsoft.Network: @azure/arm-network 39.0.0 sends 2026-01-01; from 2019-04-01, the first with privateEndpoints.
  network: [
    '2026-01-01', '2025-07-01', '2025-05-01', '2025-03-01', '2025-01-01', '2024-10-01', '2024-07-01', '2024-05-01', '2024-03-01', '2024-01-01',
    '2023-11-01', '2023-09-01', '2023-06-01', '2023-05-01', '2023-04-01', '2023-02-01', '2022-11-01', '2022-09-01', '2022-07-01', '2022-05-01',
    '2022-01-01', '2021-08-01', '2021-05-01', '2021-03-01', '2021-02-01', '2020-11-01', '2020-08-01', '2020-07-01', '2020-06-01', '2020-05-01',
    '2020-04-01', '2020-03-01', '2019-12-01', '2019-11-01', '2019-09-01', '2019-08-01', '2019-07-01', '2019-06-01', '2019-04-01',
  ],
  // @azure/arm-privatedns 4.0.0 sends 2024-06-01; spec files 2024-06-01 and 2020-06-01.
  privateDns: ['2024-06-01', '2020-06-01', '2020-01-01', '2018-09-01'],
  // @azure/arm-storage 21.0.0 sends 2026-09-01; from 2019-06-01, the first with private endpoint connections.
  storage: [
    '2026-09-01', '2026-06-01', '2026-04-01', '2025-08-01', '2025-06-01', '2025-01-01', '2024-01-01', '2023-05-01', '2023-04-01', '2023-01-01',
    '2022-09-01', '2022-05-01', '2021-09-01', '2021-08-01', '2021-06-01', '2021-04-01', '2021-02-01', '2021-01-01', '2019-06-01',
  ],
  // Microsoft.Management: the app sends 2020-05-01 (descendants).
  managementGroups: ['2023-04-01', '2021-04-01', '2020-10-01', '2020-05-01', '2020-02-01', '2019-11-01'],
  // @azure/arm-containerregistry 12.0.0 sends 2025-11-01; the CLI 2.45 sends 2022-02-01-preview; from 2019-12-01-preview (private endpoints).
  containerRegistry: [
    '2025-11-01', '2025-04-01', '2024-11-01-preview', '2023-11-01-preview', '2023-08-01-preview', '2023-07-01', '2023-06-01-preview',
    '2023-01-01-preview', '2022-12-01', '2022-02-01-preview', '2021-12-01-preview', '2021-09-01', '2021-08-01-preview', '2021-06-01-preview',
    '2020-11-01-preview', '2019-12-01-preview',
  ],
};

export function isSupported(group: ApiGroup, version: string): boolean {
  return API_VERSIONS[group].includes(version);
}
