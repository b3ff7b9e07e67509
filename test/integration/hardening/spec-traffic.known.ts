/**
 * Mismatches between the recorded traffic and the kept specs that are not bugs of the product or
 * the simulator, each with its reason (the same list, in prose: local/azure-sim/README.md,
 * "Traffic against the official specs"). A fixed mismatch must leave this list (a test checks each
 * entry still happens).
 */
export interface KnownSpecMismatch {
  /** oav operationId(s) it concerns */
  operation: RegExp;
  /** the error line(s) it explains */
  error: RegExp;
  reason: string;
}

export const KNOWN_SPEC_MISMATCHES: readonly KnownSpecMismatch[] = [
  {
    operation: /^PrivateEndpoints_(Get|CreateOrUpdate)$/,
    error: /^response OBJECT_ADDITIONAL_PROPERTIES \$\.properties\.(ipVersionType|isIPv6EnabledPrivateEndpoint|resourceGuid):/,
    reason: 'private endpoint properties of the network api-version the SDK sends (2026-01-01), judged by the newest kept network spec (2024-01-01), which lacks them (SOURCES.md names ipVersionType; the 2025-07-01 example carries it)',
  },
  {
    operation: /^VirtualNetworks_(Get|CreateOrUpdate)$/,
    error: /^response OBJECT_ADDITIONAL_PROPERTIES \$\.properties\.privateEndpointVNetPolicies:/,
    reason: 'privateEndpointVNetPolicies is a virtual network property newer than the kept 2024-01-01 spec (SOURCES.md)',
  },
  {
    operation: /^PrivateEndpoints_Get$/,
    error: /^response OBJECT_ADDITIONAL_PROPERTIES \$\.properties\.networkInterfaces\[\d+\]\.(kind|properties\.allowPort25Out):/,
    reason: 'kind and allowPort25Out appear on network interfaces Azure answers today (public captures of NIC GET answers), not in the kept 2024-01-01 spec; the product reads its NICs through the endpoint GET with $expand=networkInterfaces',
  },
  {
    operation: /^Registries_(Get|Update)$/,
    error: /^response OBJECT_ADDITIONAL_PROPERTIES \$\.properties\.anonymousPullEnabled:/,
    reason: 'anonymousPullEnabled is a container registry property of 2025-11-01 (the RegistryUpdate example), judged by the kept 2023-07-01 spec',
  },

  {
    operation: /^Registries_CreateOrUpdate$/,
    error: /^response INVALID_RESPONSE_CODE .*'202'/,
    reason: 'the ML service answers a registry PUT with 202 and no body instead of the 201 in its spec (azure-facts §1, from the azurerm provider\'s registry poller); the simulator keeps that quirk on purpose',
  },
  {
    operation: /^unknownOperationId$/,
    error: /MULTIPLE_OPERATIONS_FOUND: .*\/virtualNetworkLinks\//,
    reason: "oav cannot choose between the private DNS spec's virtualNetworkLinks path and its record-set path /{recordType}/{relativeRecordSetName}, which matches the same URL (the set-up's zone links, not the product's calls)",
  },
  {
    operation: /^Registries_CreateOrUpdate$/,
    error: /^request READONLY_PROPERTY_NOT_ALLOWED_IN_REQUEST \$\.properties\.managedResourceGroupSettings\.assignedIdentities\[\d+\]\.principalId:/,
    reason: "the 2025-12-01 spec marks ManagedResourceGroupAssignedIdentities.principalId readOnly, yet it is the entry's only property: naming the identity is the point of the list (public Terraform samples set it; issue 14 item 1), so the app's registry PUT sends it",
  },
  {
    operation: /^(StorageAccounts_Update|Registries_Update)$/,
    error: /^response INVALID_RESPONSE_CODE : The swagger file does not define '403' response code/,
    reason: "the managed resource group's deny assignment refuses the storage/ACR PATCH (403 DenyAssignmentAuthorizationFailed) until the app's exemption takes effect: ARM's authorization layer answers it before the resource provider, and no RP spec lists ARM's 403s",
  },
];
