import type { ActivityDeps } from '../../main';
import { missingPermissions, scopesOf, type PermissionCheck, type PermissionEntry } from '../domain/permission-check';
import type { CheckPermissionsInput } from './contracts';

/**
 * checkPermissions (plan mode): the app's effective permissions at every scope an apply would
 * write, one permissions-API read per scope, and the needs they leave out. Reads only.
 */
export async function checkPermissions(input: CheckPermissionsInput, deps: ActivityDeps): Promise<PermissionCheck> {
  const scopes = scopesOf(input.needs);
  const answers = await Promise.all(scopes.map(async (s) => [s.toLowerCase(), await deps.ports.permissions.effectivePermissions(s)] as const));
  const granted = new Map<string, readonly PermissionEntry[]>(answers);
  return { scopes, missing: missingPermissions(input.needs, granted) };
}
