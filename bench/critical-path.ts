import type { LatencyKind } from '../local/azure-sim/arm/lro';

/**
 * What the latency model says a hardening run cannot beat: the chain of long-running operations
 * between the registry's creation event and its last public-access write, following what
 * hardenRegistry runs in parallel (Task.all) and what it runs one after the other. Pure: the
 * model and the plan's shape in, milliseconds and the chain in words out.
 *
 * The run (src/hardening/harden.workflow.ts), for a fresh registry:
 * - lockdown: every public-access write at once — registry GET + full PUT (LRO `registryUpdate`),
 *   one storage PATCH per region (synchronous in ARM: no LRO), the ACR PATCH (LRO `acrUpdate`)
 *   unless LOCKDOWN_ACR=false;
 * - endpoints: every private endpoint PUT at once (`privateEndpointCreate`), then every zone-group
 *   PUT at once (`zoneGroupCreate`); connections are approved automatically (same owner), so no
 *   approval wait;
 * - `lockdown-first` runs lockdown, then endpoints; `endpoints-first` the other way round.
 * Reads (the registry, its targets, the subnet) are not in the model: 0 s.
 */

export type LatencyModel = Pick<Record<LatencyKind, number>, 'registryUpdate' | 'acrUpdate' | 'privateEndpointCreate' | 'zoneGroupCreate'>;
export type LockdownOrder = 'lockdown-first' | 'endpoints-first';

export interface PlanShape {
  order: LockdownOrder;
  /** regions of the registry (one storage account and one blob endpoint each) */
  regions: number;
  lockdownAcr: boolean;
}

export interface Stage {
  what: string;
  ms: number;
}

export interface CriticalPath {
  ms: number;
  stages: Stage[];
  /** the stages in words, e.g. "public access off … (30 s) → …" */
  chain: string;
}

/** Azure Policy's default evaluation delay for DeployIfNotExists (AfterProvisioning + PT10M). */
export const POLICY_DINE_DELAY_MS = 10 * 60_000;

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

/** The private endpoints of a fresh registry: amlregistry, one blob per region, registry (ACR). */
export function endpointCount(shape: Pick<PlanShape, 'regions'>): number {
  return shape.regions + 2;
}

/** The public-access writes of a fresh registry: the registry, one storage account per region, the ACR. */
export function publicAccessWrites(shape: Pick<PlanShape, 'regions' | 'lockdownAcr'>): number {
  return 1 + shape.regions + (shape.lockdownAcr ? 1 : 0);
}

/** The fewest ARM writes that harden a fresh registry: every endpoint, its zone group, every public-access write. */
export function minimumWrites(shape: Pick<PlanShape, 'regions' | 'lockdownAcr'>): number {
  return 2 * endpointCount(shape) + publicAccessWrites(shape);
}

export function lockdownStage(model: LatencyModel, shape: Pick<PlanShape, 'regions' | 'lockdownAcr'>): Stage {
  const parts = [`registry PUT ${seconds(model.registryUpdate)}`, `${shape.regions} storage PATCH (synchronous, 0 s)`];
  if (shape.lockdownAcr) parts.push(`ACR PATCH ${seconds(model.acrUpdate)}`);
  const ms = Math.max(model.registryUpdate, 0, shape.lockdownAcr ? model.acrUpdate : 0);
  return { what: `public access off in parallel [${parts.join(' ‖ ')}]`, ms };
}

export function endpointStages(model: LatencyModel, shape: Pick<PlanShape, 'regions'>): Stage[] {
  const n = endpointCount(shape);
  return [
    { what: `${n} private endpoint PUTs in parallel`, ms: model.privateEndpointCreate },
    { what: `${n} zone-group PUTs in parallel`, ms: model.zoneGroupCreate },
  ];
}

function pathOf(stages: Stage[]): CriticalPath {
  return {
    ms: stages.reduce((sum, s) => sum + s.ms, 0),
    stages,
    chain: stages.map((s) => `${s.what} (${seconds(s.ms)})`).join(' → '),
  };
}

/** Creation event → last public-access write, as the model allows at best. */
export function exposureCriticalPath(model: LatencyModel, shape: PlanShape): CriticalPath {
  const lockdown = lockdownStage(model, shape);
  return pathOf(shape.order === 'lockdown-first' ? [lockdown] : [...endpointStages(model, shape), lockdown]);
}

/** Azure Policy under the same model: the DeployIfNotExists delay, then the same public-access writes. */
export function policyExposure(model: LatencyModel, shape: Pick<PlanShape, 'regions' | 'lockdownAcr'>): CriticalPath {
  return pathOf([{ what: 'Azure Policy DeployIfNotExists evaluation delay', ms: POLICY_DINE_DELAY_MS }, lockdownStage(model, shape)]);
}
