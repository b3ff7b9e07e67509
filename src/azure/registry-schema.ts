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
