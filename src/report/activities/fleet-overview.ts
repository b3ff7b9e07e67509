/**
 * The fleet overview's reads: the target subscriptions (settings + management group), every
 * registry of each (one listing per subscription, every page), and — only for registries their
 * last run hardened — the public access of the resources that run turned off, read now, to tell
 * Hardened from Drifted. Nothing else is read per registry. A subscription that cannot be listed
 * is a failed line; the others are still reported.
 */
import { ArmTypes, nameOf, parseResourceIdOfType } from '../../shared/arm-id';
import { canonicalRegistryKey } from '../../shared/instance-id';
import type { ActivityDeps } from '../../main';
import type { RegistryAddress } from '../../http/routes';
import { listEachSubscription, type TargetSubscriptions } from '../../shared/targets';
import { codedFailure, ErrorCodes } from '../../shared/errors';
import { mapBounded } from '../../shared/bounded';
import { normalizeRegion } from '../../shared/regions';
import type { Registry } from '../../hardening/domain/registry';
import { resolveTargetSubscriptions } from '../../sweep';
import {
  assembleFleetOverview,
  carriesTag,
  isActiveRun,
  lastApplyRun,
  publicAccessLines,
  registryState,
  type FleetOverview,
  type FleetRegistryLine,
  type ResourceAccess,
  type RunView,
} from '../domain/report';

type Deps = Pick<ActivityDeps, 'ports' | 'config' | 'now'>;

/** Public access now of what the last run (which hardened the registry) turned off: the registry from its listing, storage and ACR read. */
async function accessNow(registry: Registry, lastApply: RunView, deps: Deps): Promise<ResourceAccess[]> {
  const own: ResourceAccess = { kind: 'registry', id: registry.id, name: registry.name, region: normalizeRegion(registry.location), publicNetworkAccess: registry.properties.publicNetworkAccess ?? 'Enabled' };
  const others = (lastApply.outcome?.plan?.publicAccess ?? []).filter((p) => p.target.kind !== 'registry' && p.action !== 'skip').map((p) => p.target);
  const read = await mapBounded(others, 4, async (t): Promise<ResourceAccess> => {
    const base = { kind: t.kind, id: t.id, name: t.name, region: t.region };
    try {
      const r = await (t.kind === 'storage' ? deps.ports.storage : deps.ports.containerRegistry).get(t.id);
      return r === undefined ? { ...base, error: { code: ErrorCodes.ARM_NOT_FOUND, message: `${t.id} does not exist.` } } : { ...base, publicNetworkAccess: r.publicNetworkAccess };
    } catch (e) {
      return { ...base, error: codedFailure(e, 500) };
    }
  });
  return [own, ...read];
}

async function registryLine(registry: Registry, runs: readonly RunView[], reportUrl: (registry: RegistryAddress) => string, deps: Deps): Promise<FleetRegistryLine> {
  const exemptNow = carriesTag(registry.tags ?? undefined, deps.config.EXEMPTION_TAG);
  const lastApply = lastApplyRun(runs);
  const newest = runs[0];
  const check = lastApply?.outcome?.kind === 'Hardened' && !exemptNow && !(newest !== undefined && isActiveRun(newest));
  const lines = check && lastApply !== undefined ? publicAccessLines(await accessNow(registry, lastApply, deps), lastApply) : [];
  const openNow = lines.filter((l) => l.expected === 'Disabled' && l.publicNetworkAccess !== undefined && !l.ok);
  const unknown = lines.filter((l) => l.publicNetworkAccess === undefined);
  const verdict = registryState({ runs, exemptNow, openNow, unknown });
  const rid = parseResourceIdOfType(registry.id, ArmTypes.registry);
  return {
    registryId: registry.id,
    name: registry.name,
    subscriptionId: rid.subscriptionId.toLowerCase(),
    resourceGroup: rid.resourceGroup,
    location: normalizeRegion(registry.location),
    state: verdict.state,
    detail: verdict.detail,
    ...(verdict.lastCheckedAt ? { lastCheckedAt: verdict.lastCheckedAt } : {}),
    reportUrl: reportUrl({ subscriptionId: rid.subscriptionId, resourceGroup: rid.resourceGroup, name: nameOf(rid) }),
  };
}

/** Every registry of the target subscriptions with its state. */
export async function readFleetOverview(
  args: { targets: TargetSubscriptions; runs: ReadonlyMap<string, RunView[]>; reportUrl: (registry: RegistryAddress) => string; links: FleetOverview['links'] },
  deps: Deps,
): Promise<FleetOverview> {
  const { subscriptionIds, managementGroups } = await resolveTargetSubscriptions(args.targets, deps);
  const concurrency = deps.config.SWEEP_CONCURRENCY;
  const { subscriptions, items: registries } = await listEachSubscription({ subscriptionIds, concurrency, counted: 'registries', maxErrorLength: 500 }, async (subscriptionId) => {
    const registries: Registry[] = [];
    for await (const r of deps.ports.clients.registries().listBySubscription(subscriptionId)) registries.push(r);
    return registries;
  });
  const lines = await mapBounded(registries, concurrency, (r) => registryLine(r, args.runs.get(canonicalRegistryKey(r.id)) ?? [], args.reportUrl, deps));
  return assembleFleetOverview({ generatedAt: deps.now().toISOString(), ...(managementGroups ? { managementGroups } : {}), subscriptions, registries: lines, links: args.links });
}
