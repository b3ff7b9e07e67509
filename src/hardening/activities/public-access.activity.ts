import { ErrorCodes, LockdownError } from '../../shared/errors';
import type { Target } from '../domain/hardening';
import type { ActivityDeps } from '../../main';

const isDisabled = (v: string | null | undefined) => (v ?? '').toLowerCase() === 'disabled';

/**
 * Public network access off for one target. Registry: GET, then PUT the whole object (PATCH
 * cannot change properties; the PUT is an LRO). Storage: PATCH. ACR: PATCH (LRO). No write when
 * it is already off.
 */
export async function disablePublicAccess(input: { target: Target }, { ports, now }: Pick<ActivityDeps, 'ports' | 'now'>): Promise<{ changed: boolean; at: string }> {
  const { target } = input;
  if (target.kind === 'registry') {
    const reg = await ports.registries.get(target.id);
    if (!reg) throw new LockdownError(ErrorCodes.REGISTRY_NOT_FOUND, `Registry ${target.id} no longer exists.`);
    if (isDisabled(reg.properties.publicNetworkAccess)) return { changed: false, at: now().toISOString() };
    const after = await ports.registries.put({ ...reg, properties: { ...reg.properties, publicNetworkAccess: 'Disabled' } });
    if (!isDisabled(after.properties.publicNetworkAccess)) {
      throw new LockdownError(ErrorCodes.ARM_LRO_FAILED, `Registry ${target.id} still reports publicNetworkAccess=${after.properties.publicNetworkAccess ?? 'null'} after its PUT.`, { retryable: true });
    }
    return { changed: true, at: now().toISOString() };
  }
  const port = target.kind === 'storage' ? ports.storage : ports.containerRegistry;
  const current = await port.get(target.id);
  if (!current) throw new LockdownError(ErrorCodes.ARM_NOT_FOUND, `${target.id} no longer exists.`);
  if (isDisabled(current.publicNetworkAccess)) return { changed: false, at: now().toISOString() };
  const after = await port.disablePublicNetworkAccess(target.id);
  if (!isDisabled(after.publicNetworkAccess)) {
    throw new LockdownError(ErrorCodes.ARM_LRO_FAILED, `${target.id} still reports publicNetworkAccess=${after.publicNetworkAccess} after its PATCH.`, { retryable: true });
  }
  return { changed: true, at: now().toISOString() };
}
