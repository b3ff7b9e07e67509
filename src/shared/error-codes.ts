/**
 * The one list of error codes (house style 17): every code the app answers or fails with, the
 * HTTP status the API answers it with, and the remedy the user sees (docs/operations.md's table of
 * every code, which a test keeps equal to this list). Features import from here;
 * nobody declares codes of their own. A code travels as a `[CODE]` prefix of the message through
 * Durable Functions (src/shared/errors.ts), as `error.code` in HTTP answers, and in Failed
 * outcomes. docs/operations.md and docs/http-api.md describe each (a test keeps them in step).
 *
 * `status` is what the HTTP API answers when the code reaches it: 4xx for what the caller can fix
 * in the request, 401/403 for a caller without a token or without the app role, 409 for a
 * refusal given the resource's state, 502 for a failure of Azure behind the app, 503 while the
 * app is not set up to tell callers apart (AUTH.NOT_CONFIGURED), 500 for the app's own.
 */
export interface ErrorCodeSpec {
  readonly code: string;
  readonly status: number;
  readonly remedy: string;
}

const AGAIN = 'start the run again';

export const ERROR_CATALOG = {
  /* ---------- settings and input ---------- */
  CONFIG_INVALID: { code: 'CONFIG.INVALID', status: 500, remedy: 'fix the app settings the message names (docs/settings.md), then restart the app' },
  ARM_ID_INVALID: { code: 'ARM_ID.INVALID', status: 400, remedy: 'pass a full ARM resource id of the type the message names' },
  REGISTRY_NAME_INVALID: { code: 'REGISTRY.NAME_INVALID', status: 400, remedy: 'use the registry name as Azure spells it (3–33 letters, digits, - and _)' },
  HARDEN_INPUT_INVALID: { code: 'HARDEN.INPUT_INVALID', status: 400, remedy: 'fix the run options the message lists' },
  SWEEP_INPUT_INVALID: { code: 'SWEEP.INPUT_INVALID', status: 400, remedy: 'fix the sweep input the message lists' },

  /* ---------- the HTTP request itself ---------- */
  REQUEST_INVALID_PARAMETER: { code: 'REQUEST.INVALID_PARAMETER', status: 400, remedy: 'fix the path or query parameter the message names' },
  REQUEST_INVALID_JSON: { code: 'REQUEST.INVALID_JSON', status: 400, remedy: 'send a UTF-8 JSON body' },
  REQUEST_INVALID_BODY: { code: 'REQUEST.INVALID_BODY', status: 400, remedy: "send a body that matches the route's schema (GET /api/openapi.json)" },
  REQUEST_UNKNOWN_FIELD: { code: 'REQUEST.UNKNOWN_FIELD', status: 400, remedy: 'remove the fields the message names' },
  REQUEST_BODY_NOT_ALLOWED: { code: 'REQUEST.BODY_NOT_ALLOWED', status: 400, remedy: 'send this operation without a body' },
  REQUEST_BODY_TOO_LARGE: { code: 'REQUEST.BODY_TOO_LARGE', status: 413, remedy: 'send at most 16 KiB' },
  REQUEST_UNSUPPORTED_MEDIA_TYPE: { code: 'REQUEST.UNSUPPORTED_MEDIA_TYPE', status: 415, remedy: 'send the body with Content-Type: application/json' },
  INTERNAL_ERROR: { code: 'INTERNAL.ERROR', status: 500, remedy: "a bug: the app's log has the details under the request's invocation id" },

  /* ---------- who may call (Microsoft Entra ID through App Service Authentication) ---------- */
  AUTH_NOT_CONFIGURED: { code: 'AUTH.NOT_CONFIGURED', status: 503, remedy: 'turn App Service Authentication on for the app and set AUTH_APP_ID to its app registration (docs/deploy.md, "Who may call the API")' },
  AUTH_UNAUTHENTICATED: { code: 'AUTH.UNAUTHENTICATED', status: 401, remedy: 'call with a Microsoft Entra ID access token for the app (Authorization: Bearer, scope api://<AUTH_APP_ID>/.default); a function key opens only the Event Grid webhook' },
  AUTH_FORBIDDEN: { code: 'AUTH.FORBIDDEN', status: 403, remedy: 'ask for the app role the message names (docs/deploy.md, "Granting the app roles")' },

  /* ---------- runs ---------- */
  RUN_NOT_FOUND: { code: 'RUN.NOT_FOUND', status: 404, remedy: 'start a run (POST …/harden)' },
  RUN_ALREADY_RUNNING: { code: 'RUN.ALREADY_RUNNING', status: 409, remedy: 'wait for the run to end, or terminate it (DELETE …/harden)' },
  RUN_NOT_RUNNING: { code: 'RUN.NOT_RUNNING', status: 409, remedy: 'only a running run can be approved or terminated; start a new one instead' },
  HARDEN_PROVISIONING_DEADLINE: { code: 'HARDEN.PROVISIONING_DEADLINE', status: 409, remedy: `${AGAIN} once provisioning has finished` },
  HARDEN_APPROVAL_REJECTED: { code: 'HARDEN.APPROVAL_REJECTED', status: 409, remedy: `approve the connection on the target resource, or delete the endpoint so that the next run requests a new one, then ${AGAIN}` },
  HARDEN_APPROVAL_DEADLINE: { code: 'HARDEN.APPROVAL_DEADLINE', status: 409, remedy: `approve the connections on the target resources and ${AGAIN}; while a run waits, POST …/harden/approve makes it look at once` },
  HARDEN_DNS_PROOF_FAILED: { code: 'HARDEN.DNS_PROOF_FAILED', status: 409, remedy: "check the private DNS zones' links to the resolver's VNet and the zone groups; in Azure, DNS_SERVERS=168.63.129.16 if the default resolver does not answer from the linked zones" },
  HARDEN_UNEXPECTED: { code: 'HARDEN.UNEXPECTED', status: 500, remedy: `a bug or a library error without a code: ${AGAIN}; report it if it repeats` },
  OUTCOME_PUBLISH_FAILED: { code: 'OUTCOME.PUBLISH_FAILED', status: 502, remedy: `check OUTCOME_TOPIC_ENDPOINT and the app's EventGrid Data Sender role, then ${AGAIN} (a hardened registry costs no writes)` },

  /* ---------- Azure behind the app ---------- */
  REGISTRY_NOT_FOUND: { code: 'REGISTRY.NOT_FOUND', status: 404, remedy: 'check the registry id; the app sees only registries its role covers' },
  REGISTRY_INVALID_RESPONSE: { code: 'REGISTRY.INVALID_RESPONSE', status: 502, remedy: 'the ML service answered a registry the app cannot read: report it with the registry id' },
  ARM_THROTTLED: { code: 'ARM.THROTTLED', status: 502, remedy: `${AGAIN} later, raise THROTTLE_PATIENCE_MINUTES, or spread the load over time (other clients of the subscription share its ARM budget)` },
  ARM_AUTH: { code: 'ARM.AUTHENTICATION', status: 502, remedy: "check the app's managed identity (AZURE_CLIENT_ID) and its tenant" },
  ARM_FORBIDDEN: { code: 'ARM.FORBIDDEN', status: 502, remedy: 'give the app the permission the message names at that scope (infra/app/role-actions.json), then start again' },
  ARM_DENY_ASSIGNMENT: { code: 'ARM.DENY_ASSIGNMENT', status: 502, remedy: "set MANAGED_RG_ASSIGN_APP_IDENTITY=true with APP_PRINCIPAL_ID, or add the app's principal to the registry's managedResourceGroupSettings.assignedIdentities yourself, then start again; if the app was listed, raise ACCESS_PROPAGATION_MINUTES" },
  ARM_CONFLICT: { code: 'ARM.CONFLICT', status: 502, remedy: 'another operation holds the resource: start again once it has finished' },
  ARM_BAD_REQUEST: { code: 'ARM.BAD_REQUEST', status: 502, remedy: "ARM refused the request: its message says why (e.g. SubnetIsFull: give the endpoints' subnet more addresses)" },
  ARM_NOT_FOUND: { code: 'ARM.NOT_FOUND', status: 502, remedy: 'a resource the run needs is gone (subnet, zone, endpoint): check the settings that name it' },
  ARM_SERVER: { code: 'ARM.SERVER_ERROR', status: 502, remedy: `Azure failed: ${AGAIN} later` },
  ARM_LRO_FAILED: { code: 'ARM.LRO_FAILED', status: 502, remedy: "a long-running operation failed: its message has Azure's reason" },
  ARM_TRANSPORT: { code: 'ARM.TRANSPORT', status: 502, remedy: 'ARM could not be reached: check the network path from the app to ARM' },
  ARM_TIMEOUT: { code: 'ARM.TIMEOUT', status: 502, remedy: 'ARM did not answer within ARM_REQUEST_TIMEOUT_SECONDS on every attempt: start again later' },
  ARM_LRO_DEADLINE: { code: 'ARM.LRO_DEADLINE', status: 502, remedy: "look at the resource's provisioning state (Azure may still finish it), then start again" },
  INVOCATION_BUDGET_SPENT: { code: 'INVOCATION.BUDGET_SPENT', status: 502, remedy: 'an activity ran out of its time budget (FUNCTION_TIMEOUT_SECONDS less 60 s): the retry policy tries again; if it repeats, look at what made ARM slow' },
  ARM_FAILED: { code: 'ARM.FAILED', status: 502, remedy: "Azure failed without a code the app knows: its message has Azure's answer" },
  IDENTITY_TOKEN: { code: 'IDENTITY.TOKEN_FAILED', status: 502, remedy: "the app's managed identity gave no token: check the identity assignment and AZURE_CLIENT_ID" },
  DISCOVERY_BAD_INPUT: { code: 'DISCOVERY.BAD_INPUT', status: 400, remedy: 'use a known Azure region and a valid registry name' },
  DISCOVERY_UNAUTHORIZED: { code: 'DISCOVERY.UNAUTHORIZED', status: 502, remedy: "check the app identity's tenant and its role on the registry" },
  DISCOVERY_NOT_FOUND: { code: 'DISCOVERY.NOT_FOUND', status: 404, remedy: 'check the region and the name; the app sees only registries its role covers' },
  DISCOVERY_FAILED: { code: 'DISCOVERY.FAILED', status: 502, remedy: 'discovery could not be reached or answered unexpectedly: try again later' },

  /* ---------- the CLI talking to a deployed app (never answered by the API itself) ---------- */
  HTTP_UNREACHABLE: { code: 'HTTP.UNREACHABLE', status: 502, remedy: "check --api: the function app's base URL, reachable from here" },
  HTTP_UNAUTHORIZED: { code: 'HTTP.UNAUTHORIZED', status: 502, remedy: "sign in as a principal with an app role of the API (DefaultAzureCredential) and check --app-id / AUTH_APP_ID" },
  HTTP_NOT_FOUND: { code: 'HTTP.NOT_FOUND', status: 502, remedy: "check --api: it must be the function app's base URL" },

  /* ---------- sweep and fleet ---------- */
  SWEEP_NO_SUBSCRIPTIONS: { code: 'SWEEP.NO_SUBSCRIPTIONS', status: 409, remedy: 'set TARGET_SUBSCRIPTION_IDS (or TARGET_MANAGEMENT_GROUP)' },
  FLEET_NO_SUBSCRIPTIONS: { code: 'FLEET.NO_SUBSCRIPTIONS', status: 409, remedy: 'set TARGET_SUBSCRIPTION_IDS (or TARGET_MANAGEMENT_GROUP)' },

  /* ---------- network: egress and exfiltration ---------- */
  EGRESS_WORKSPACE_NOT_FOUND: { code: 'EGRESS.WORKSPACE_NOT_FOUND', status: 404, remedy: 'check the workspace id' },
  EGRESS_NO_SUBNET: { code: 'EGRESS.NO_SUBNET', status: 409, remedy: 'name the subnet (--subnet / subnetId): no compute of the workspace is in one' },
  EGRESS_SUBNET_NOT_FOUND: { code: 'EGRESS.SUBNET_NOT_FOUND', status: 404, remedy: 'check the subnet id' },
  EGRESS_NO_NSG: { code: 'EGRESS.NO_NSG', status: 409, remedy: 'associate a network security group with the subnet first' },
  EGRESS_NSG_NOT_FOUND: { code: 'EGRESS.NSG_NOT_FOUND', status: 409, remedy: "check the subnet's network security group and the app's read access to it" },
  EGRESS_NO_FREE_PRIORITY: { code: 'EGRESS.NO_FREE_PRIORITY', status: 409, remedy: 'free a priority between 100 and the blocking Deny rule' },
  EGRESS_SUBNET_NOT_USED: { code: 'EGRESS.SUBNET_NOT_USED', status: 409, remedy: "name a subnet one of the workspace's computes is in (GET /api/fleet/registry-egress lists them): the fix changes no other subnet's NSG" },
  EXFILTRATION_SUBNET_NOT_FOUND: { code: 'EXFILTRATION.SUBNET_NOT_FOUND', status: 404, remedy: 'check the subnet id' },

  /* ---------- workspaces: sharing and audit ---------- */
  WORKSPACE_NOT_FOUND: { code: 'WORKSPACE.NOT_FOUND', status: 404, remedy: 'check the workspace id' },
  SHARING_NO_STORAGE_ACCOUNT: { code: 'SHARING.NO_STORAGE_ACCOUNT', status: 409, remedy: 'the workspace names no storage account: nothing to share' },
  SHARING_STORAGE_NOT_FOUND: { code: 'SHARING.STORAGE_NOT_FOUND', status: 409, remedy: "check the workspace's storage account and the app's read access to it" },
  SHARING_STORAGE_OTHER_TENANT: { code: 'SHARING.STORAGE_OTHER_TENANT', status: 409, remedy: 'the storage account is in another tenant: the app makes no cross-tenant rules' },
  SHARING_NOT_VERIFIED: { code: 'SHARING.NOT_VERIFIED', status: 502, remedy: 'read the storage account again; repeat the request if the rule is missing' },
  SHARING_FULLY_PUBLIC: { code: 'SHARING.FULLY_PUBLIC', status: 409, remedy: "use force if narrowing the account to selected networks is wanted (today's callers would be shut out)" },
  SHARING_PUBLIC_ACCESS_DISABLED: { code: 'SHARING.PUBLIC_ACCESS_DISABLED', status: 409, remedy: 'use force if widening to selected networks is wanted (the existing rules would become effective again)' },
  SHARING_SECURED_BY_PERIMETER: { code: 'SHARING.SECURED_BY_PERIMETER', status: 409, remedy: "add the registry to the network security perimeter's access rules instead" },
  SHARING_REASON_REQUIRED: { code: 'SHARING.REASON_REQUIRED', status: 400, remedy: 'state why with reason=… (CLI: --reason): turning public access Disabled into Enabled is recorded with its reason' },
} as const satisfies Record<string, ErrorCodeSpec>;

type Catalog = typeof ERROR_CATALOG;

/** Every code by its key, e.g. ErrorCodes.ARM_THROTTLED === 'ARM.THROTTLED'. */
export const ErrorCodes = Object.fromEntries(Object.entries(ERROR_CATALOG).map(([key, spec]) => [key, spec.code])) as { readonly [K in keyof Catalog]: Catalog[K]['code'] };

export type ErrorCode = Catalog[keyof Catalog]['code'];

const BY_CODE: ReadonlyMap<string, ErrorCodeSpec> = new Map(Object.values(ERROR_CATALOG).map((spec) => [spec.code, spec]));

/** The HTTP status the API answers a code with; a code outside the list is the app's own failure (500). */
export function httpStatusOf(code: string): number {
  return BY_CODE.get(code)?.status ?? 500;
}
