import { registryRoutePath, routePath, Routes, type RegistryAddress } from '../http/routes';

/** `/api/registries/{sub}/{rg}/{name}/report` of a registry. */
export function reportPath(registry: RegistryAddress): string {
  return registryRoutePath(Routes.getRegistryReport, registry);
}

/** The fleet overview's path. */
export const FLEET_REPORT_PATH = routePath(Routes.getFleetReport, {});
