import { ROUTE_PREFIX } from '../http/routes';

/** `/api/registries/{sub}/{rg}/{name}/report` of a registry id (each segment encoded). */
export function reportPath(id: string): string {
  const m = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/[^/]+\/[^/]+\/([^/]+)/i.exec(id);
  const seg = (i: number): string => encodeURIComponent(m?.[i] ?? '');
  return `/${ROUTE_PREFIX}/registries/${seg(1)}/${seg(2)}/${seg(3)}/report`;
}

/** The fleet overview's path. */
export const FLEET_REPORT_PATH = `/${ROUTE_PREFIX}/fleet/report`;
