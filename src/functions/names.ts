/** Every registered function, orchestrator, activity and event name: one place, no repeated literals. */
export const Orchestrators = {
  hardenRegistry: 'hardenRegistry',
} as const;

export const Activities = {
  readRegistry: 'readRegistry',
  inspectTargets: 'inspectTargets',
  ensurePrivateEndpoint: 'ensurePrivateEndpoint',
  ensureZoneGroup: 'ensureZoneGroup',
  readEndpoint: 'readEndpoint',
  disablePublicAccess: 'disablePublicAccess',
  collectDnsExpectations: 'collectDnsExpectations',
  proveDns: 'proveDns',
  checkDiscovery: 'checkDiscovery',
  publishOutcome: 'publishOutcome',
} as const;

export const Events = {
  approve: 'approve',
} as const;

export const Triggers = {
  onRegistryWrite: 'onRegistryWrite',
} as const;

/** HTTP-triggered functions (routes in src/functions/http/routes.ts). */
export const HttpFunctions = {
  getDiscovery: 'getDiscovery',
  startHardening: 'startHardening',
  getHardeningStatus: 'getHardeningStatus',
  approveHardening: 'approveHardening',
  terminateHardening: 'terminateHardening',
  listRuns: 'listRuns',
  getOpenApi: 'getOpenApi',
} as const;
