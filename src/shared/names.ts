/** Every registered function, orchestrator, activity and event name: one place, no repeated literals. */
export const Orchestrators = {
  /** one run: plan or apply (harden.workflow.ts) */
  hardenRegistry: 'hardenRegistry',
  /** a registry's apply lock: runs one apply run as its sub-orchestration, and lives as long */
  hardenRegistryLock: 'hardenRegistryLock',
  /** a follow-up: starts the next apply run once the one it waits behind has ended */
  hardenFollowUp: 'hardenFollowUp',
  sweepRegistries: 'sweepRegistries',
} as const;

export const Activities = {
  readRegistry: 'readRegistry',
  inspectTargets: 'inspectTargets',
  ensurePrivateEndpoint: 'ensurePrivateEndpoint',
  ensureZoneGroup: 'ensureZoneGroup',
  readEndpoint: 'readEndpoint',
  disablePublicAccess: 'disablePublicAccess',
  grantManagedGroupAccess: 'grantManagedGroupAccess',
  collectDnsExpectations: 'collectDnsExpectations',
  proveDns: 'proveDns',
  checkDiscovery: 'checkDiscovery',
  publishOutcome: 'publishOutcome',
  checkPermissions: 'checkPermissions',
  // from workflow 2.3: writes started at once, their long-running operations polled by the run
  startPublicAccessOff: 'startPublicAccessOff',
  startManagedGroupAccess: 'startManagedGroupAccess',
  startPrivateEndpoint: 'startPrivateEndpoint',
  startZoneGroup: 'startZoneGroup',
  pollOperations: 'pollOperations',
} as const;

/** The activities of the apply lock's follow-ups (durable only: they use the durable client). */
export const RunActivities = {
  startFollowUpRun: 'startFollowUpRun',
} as const;

/** The sweep's activities (their retry policies are the sweep orchestrator's, not ACTIVITY_RETRY). */
export const SweepActivities = {
  listManagementGroupSubscriptions: 'listManagementGroupSubscriptions',
  listRegistries: 'listRegistries',
  planRegistry: 'planRegistry',
  startHardeningRun: 'startHardeningRun',
} as const;

/** The sweep's singleton instance: one sweep at a time, whether started by the timer or over HTTP. */
export const SWEEP_INSTANCE_ID = 'sweep-registries';

export const Events = {
  approve: 'approve',
} as const;

export const Triggers = {
  onRegistryWrite: 'onRegistryWrite',
  sweepTimer: 'sweepTimer',
} as const;

/** HTTP-triggered functions (routes in src/http/routes.ts). */
export const HttpFunctions = {
  getDiscovery: 'getDiscovery',
  startHardening: 'startHardening',
  getHardeningStatus: 'getHardeningStatus',
  approveHardening: 'approveHardening',
  terminateHardening: 'terminateHardening',
  listRuns: 'listRuns',
  startSweep: 'startSweep',
  getSweepStatus: 'getSweepStatus',
  checkRegistryEgress: 'checkRegistryEgress',
  fixRegistryEgress: 'fixRegistryEgress',
  getExfiltrationProtection: 'getExfiltrationProtection',
  applyExfiltrationProtection: 'applyExfiltrationProtection',
  shareWorkspaceWithRegistry: 'shareWorkspaceWithRegistry',
  auditWorkspaceDeployments: 'auditWorkspaceDeployments',
  fleetRegistryEgress: 'fleetRegistryEgress',
  fleetExfiltration: 'fleetExfiltration',
  fleetDeploymentsAudit: 'fleetDeploymentsAudit',
  getRegistryReport: 'getRegistryReport',
  getFleetReport: 'getFleetReport',
  getOpenApi: 'getOpenApi',
} as const;
