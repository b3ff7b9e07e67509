import { z } from 'zod';
import { ErrorCodes, LockdownError } from '../shared/errors';
import type { Registry } from '../hardening/domain/registry';

const nullable = <T extends z.ZodType>(t: T) => t.nullish();
const armRef = z.looseObject({ resourceId: nullable(z.string()) });

/** The parts of the 2025-12-01 registry we rely on, validated; everything else is kept as is. */
const registrySchema = z.looseObject({
  id: z.string().min(1),
  name: z.string().min(1),
  type: z.string().refine((t) => t.toLowerCase() === 'microsoft.machinelearningservices/registries', 'must be Microsoft.MachineLearningServices/registries'),
  location: z.string().min(1),
  tags: nullable(z.record(z.string(), z.string())),
  properties: z.looseObject({
    publicNetworkAccess: nullable(z.string()),
    discoveryUrl: nullable(z.string()),
    mlFlowRegistryUri: nullable(z.string()),
    managedResourceGroup: nullable(armRef),
    regionDetails: nullable(z.array(z.looseObject({
      location: nullable(z.string()),
      acrDetails: nullable(z.array(z.looseObject({
        systemCreatedAcrAccount: nullable(z.looseObject({ acrAccountName: nullable(z.string()), acrAccountSku: nullable(z.string()), armResourceId: nullable(armRef) })),
      }))),
      storageAccountDetails: nullable(z.array(z.looseObject({
        systemCreatedStorageAccount: nullable(z.looseObject({ storageAccountName: nullable(z.string()), armResourceId: nullable(armRef) })),
      }))),
    }))),
    registryPrivateEndpointConnections: nullable(z.array(z.looseObject({
      id: nullable(z.string()),
      properties: nullable(z.looseObject({
        groupIds: nullable(z.array(z.string())),
        privateEndpoint: nullable(z.looseObject({ id: nullable(z.string()), subnetArmId: nullable(z.string()) })),
        registryPrivateLinkServiceConnectionState: nullable(z.looseObject({ status: nullable(z.string()), description: nullable(z.string()) })),
      })),
    }))),
  }),
});

export function parseRegistry(body: unknown, source: string): Registry {
  const parsed = registrySchema.safeParse(body);
  if (!parsed.success) {
    const where = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new LockdownError(ErrorCodes.REGISTRY_INVALID_RESPONSE, `${source} returned something that is not a registry (${where}).`);
  }
  return parsed.data as Registry;
}

/** Properties of the 2025-12-01 registry that ARM owns (readOnly in the spec and its common types). */
const READ_ONLY_TOP = ['id', 'name', 'type', 'systemData'] as const;
/** The keys whose value is an ArmResourceId (`{ resourceId }`). */
const ARM_RESOURCE_ID_KEYS = new Set(['armResourceId', 'managedResourceGroup']);

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Drops nulls at every depth, and ArmResourceId holders (`armResourceId`, `managedResourceGroup`) without a resource id. */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((v) => v !== null && v !== undefined).map(withoutNulls);
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (v === null || v === undefined) continue;
    const cleaned = withoutNulls(v);
    if (ARM_RESOURCE_ID_KEYS.has(key)) {
      const rid = isPlainObject(cleaned) ? cleaned.resourceId : undefined;
      if (typeof rid !== 'string' || rid.trim() === '') continue;
    }
    out[key] = cleaned;
  }
  return out;
}

/**
 * The body of a full registry PUT made from a registry as GET returned it: no read-only
 * properties (id, name, type, systemData; the identity's principalId and tenantId, and each
 * user-assigned identity's principalId and clientId: ARM expects `{}` per identity), and no null
 * anywhere — the ML service answers a null or empty resource id with an error that names nothing
 * (azure-ai-ml never sends one; Terraform drops nils before its PUT), so an ArmResourceId without
 * its id is left out too.
 */
export function registryPutBody(registry: Registry): Record<string, unknown> {
  const body: Record<string, unknown> = { ...(registry as unknown as Record<string, unknown>) };
  for (const key of READ_ONLY_TOP) delete body[key];
  if (isPlainObject(body.identity)) {
    const { principalId: _p, tenantId: _t, ...identity } = body.identity;
    if (isPlainObject(identity.userAssignedIdentities)) {
      identity.userAssignedIdentities = Object.fromEntries(Object.keys(identity.userAssignedIdentities).map((id) => [id, {}]));
    }
    body.identity = identity;
  }
  return withoutNulls(body) as Record<string, unknown>;
}
