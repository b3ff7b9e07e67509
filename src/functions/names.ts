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
