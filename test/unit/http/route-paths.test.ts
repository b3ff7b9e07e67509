import { registryRoutePath, routePath, Routes } from '../../../src/http/routes';
import { statusPath, runStatusPath } from '../../../src/http/views';
import { FLEET_REPORT_PATH, reportPath } from '../../../src/report/paths';
import { statusUrl } from '../../../src/hardening/cli';
import { parseRegistryId } from '../../../src/hardening/domain/registry';

const SUB = '0b1f6471-1bf0-4dda-aec3-cb9272f09590';
// a resource group may hold letters beyond ASCII: the path carries them encoded
const REG = `/subscriptions/${SUB}/resourceGroups/rg-ml-é/providers/Microsoft.MachineLearningServices/registries/reg1`;
const HARDEN = `/api/registries/${SUB}/rg-ml-%C3%A9/reg1/harden`;

describe('route paths', () => {
  it("fill a route's segments from the routes table, each encoded, below the route prefix", () => {
    expect(routePath(Routes.getHardeningStatus, { subscriptionId: SUB, resourceGroup: 'a/b', registryName: 'r?1' })).toBe(`/api/registries/${SUB}/a%2Fb/r%3F1/harden`);
    expect(routePath(Routes.getFleetReport, {})).toBe('/api/fleet/report');
    expect(FLEET_REPORT_PATH).toBe('/api/fleet/report');
  });

  it('refuse a route whose segment is not given', () => {
    expect(() => routePath(Routes.getHardeningStatus, { subscriptionId: SUB, resourceGroup: 'rg' })).toThrow('{registryName}');
  });

  it("a registry's status path, its report path and the CLI's status URL come from the same builder", () => {
    const ref = parseRegistryId(REG);
    expect(registryRoutePath(Routes.getHardeningStatus, ref)).toBe(HARDEN);
    expect(statusPath(REG)).toBe(HARDEN);
    expect(runStatusPath(REG, 'run/1')).toBe(`${HARDEN}?instanceId=run%2F1`);
    expect(statusUrl('https://func.example.net', ref)).toBe(`https://func.example.net${HARDEN}`);
    expect(reportPath(ref)).toBe(HARDEN.replace(/harden$/, 'report'));
  });
});
