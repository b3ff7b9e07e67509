/**
 * api-versions accepted per resource type group: the versions the SDK packages in node_modules
 * send by default, the versions of the spec files in ../shared/reference/azure-rest, and the
 * newer stable versions around them. Order: newest first (ARM lists them in its error message).
 */
export type ApiGroup = 'resources' | 'mlRegistries' | 'mlWorkspaces' | 'network' | 'privateDns' | 'storage' | 'containerRegistry' | 'managementGroups';

export const API_VERSIONS: Record<ApiGroup, readonly string[]> = {
  // @azure/arm-resources 8.0.0 sends 2025-04-01; spec file 2024-03-01.
  resources: ['2025-04-01', '2025-03-01', '2025-01-01', '2024-11-01', '2024-07-01', '2024-03-01', '2023-07-01', '2022-09-01', '2021-04-01', '2020-06-01', '2019-10-01'],
  // spec folder 2025-12-01 (what this project uses), plus the earlier stable ones with registries.
  mlRegistries: ['2025-12-01', '2025-09-01', '2025-06-01', '2024-10-01', '2024-04-01', '2023-10-01', '2023-04-01'],
  // workspaces, online endpoints and deployments: @azure/arm-machinelearning 2.1.1 sends 2022-10-01; the newer stable ones up to the registries' 2025-12-01.
  mlWorkspaces: ['2025-12-01', '2025-09-01', '2025-06-01', '2024-10-01', '2024-04-01', '2023-10-01', '2023-04-01', '2022-10-01', '2022-05-01'],
  // @azure/arm-network 39.0.0 sends 2026-01-01; examples 2025-05-01/2025-07-01; spec 2024-01-01.
  network: ['2026-01-01', '2025-07-01', '2025-05-01', '2025-03-01', '2025-01-01', '2024-10-01', '2024-07-01', '2024-05-01', '2024-03-01', '2024-01-01', '2023-11-01', '2023-09-01', '2023-06-01', '2023-05-01', '2023-04-01'],
  // @azure/arm-privatedns 4.0.0 sends 2024-06-01; spec files 2024-06-01 and 2020-06-01.
  privateDns: ['2024-06-01', '2020-06-01', '2020-01-01', '2018-09-01'],
  // @azure/arm-storage 21.0.0 sends 2026-09-01; example 2025-06-01; spec 2023-05-01.
  storage: ['2026-09-01', '2026-06-01', '2026-04-01', '2025-08-01', '2025-06-01', '2025-01-01', '2024-01-01', '2023-05-01', '2023-04-01', '2023-01-01', '2022-09-01'],
  // @azure/arm-containerregistry 12.0.0 sends 2025-11-01; spec 2023-07-01.
  // Microsoft.Management: the app sends 2020-05-01 (descendants); the newer stable ones.
  managementGroups: ['2023-04-01', '2021-04-01', '2020-10-01', '2020-05-01'],
  containerRegistry: ['2025-11-01', '2025-04-01', '2024-11-01-preview', '2023-11-01-preview', '2023-07-01', '2023-01-01-preview', '2022-12-01', '2021-09-01'],
};

export function isSupported(group: ApiGroup, version: string): boolean {
  return API_VERSIONS[group].includes(version);
}
