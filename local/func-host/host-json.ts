/** The parts of host.json the local host honours. */
import fs from 'node:fs';
import { parseVersioningSettings, type VersioningSettings } from './durable/versioning';
import { isRecord } from './types';

export interface HostSettings {
  routePrefix: string;
  hubName: string;
  maxConcurrentActivityFunctions: number;
  /** defaultVersion / versionMatchStrategy / versionFailureStrategy */
  versioning: VersioningSettings;
}

/** App setting that overrides host.json's value, as the Functions host reads `AzureFunctionsJobHost__<path>`. */
export const MAX_ACTIVITIES_SETTING = 'AzureFunctionsJobHost__extensions__durableTask__maxConcurrentActivityFunctions';

export function readHostSettings(hostJsonPath: string | undefined, appSettings: Readonly<Record<string, string | undefined>> = {}): HostSettings {
  let raw: unknown = {};
  if (hostJsonPath && fs.existsSync(hostJsonPath)) raw = JSON.parse(fs.readFileSync(hostJsonPath, 'utf8'));
  const extensions = isRecord(raw) && isRecord(raw.extensions) ? raw.extensions : {};
  const http = isRecord(extensions.http) ? extensions.http : {};
  const durable = isRecord(extensions.durableTask) ? extensions.durableTask : {};
  const prefix = typeof http.routePrefix === 'string' ? http.routePrefix.replace(/^\/+|\/+$/g, '') : 'api';
  const override = appSettings[MAX_ACTIVITIES_SETTING];
  const max = override !== undefined && /^\d+$/.test(override.trim()) ? Number(override) : durable.maxConcurrentActivityFunctions;
  return {
    routePrefix: prefix,
    hubName: typeof durable.hubName === 'string' && durable.hubName !== '' ? durable.hubName : 'TestHubName',
    maxConcurrentActivityFunctions: typeof max === 'number' && max > 0 ? Math.floor(max) : 10,
    versioning: parseVersioningSettings(durable),
  };
}
