/** The parts of host.json the local host honours. */
import fs from 'node:fs';
import { isRecord } from './types';

export interface HostSettings {
  routePrefix: string;
  hubName: string;
  maxConcurrentActivityFunctions: number;
}

export function readHostSettings(hostJsonPath: string | undefined): HostSettings {
  let raw: unknown = {};
  if (hostJsonPath && fs.existsSync(hostJsonPath)) raw = JSON.parse(fs.readFileSync(hostJsonPath, 'utf8'));
  const extensions = isRecord(raw) && isRecord(raw.extensions) ? raw.extensions : {};
  const http = isRecord(extensions.http) ? extensions.http : {};
  const durable = isRecord(extensions.durableTask) ? extensions.durableTask : {};
  const prefix = typeof http.routePrefix === 'string' ? http.routePrefix.replace(/^\/+|\/+$/g, '') : 'api';
  const max = durable.maxConcurrentActivityFunctions;
  return {
    routePrefix: prefix,
    hubName: typeof durable.hubName === 'string' && durable.hubName !== '' ? durable.hubName : 'TestHubName',
    maxConcurrentActivityFunctions: typeof max === 'number' && max > 0 ? Math.floor(max) : 10,
  };
}
