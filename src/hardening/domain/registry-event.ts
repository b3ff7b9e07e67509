import { isResourceOfType, type RegistryId } from '../../shared/arm-id';
import { callerFromClaims, type Caller } from '../../shared/caller';
import { logText } from '../../shared/log-text';
import { parseRegistryId, REGISTRY_TYPE } from './registry';

export const RESOURCE_WRITE_SUCCESS = 'Microsoft.Resources.ResourceWriteSuccess';
export const REGISTRY_WRITE_OPERATION = 'Microsoft.MachineLearningServices/registries/write';

/**
 * Where ARM puts the caller's object id in the event's `data.claims`: under the long claim type
 * (the documented sample: `http://schemas.microsoft.com/identity/claims/objectidentifier`), not
 * the JWT's short `oid` — which is accepted too, should a copy of the raw token claims turn up.
 */
export const OBJECT_ID_CLAIMS = ['http://schemas.microsoft.com/identity/claims/objectidentifier', 'oid'] as const;

/** The writer's UPN (users): under its long claim type in ARM's events, or the JWT's short `upn`. */
export const UPN_CLAIMS = ['http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn', 'upn'] as const;

/** The client application the writer used: `appid` (the v1 tokens ARM takes), or `azp` (v2). */
export const APP_ID_CLAIMS = ['appid', 'azp'] as const;

export interface EventFilter {
  /** the object id of the app's own identity: registry writes it made itself start nothing */
  appPrincipalId?: string | undefined;
}

export type RegistryEventDecision =
  /** the registry's subscription (lower case) is the event topic's: the trigger checks it against the target scope */
  | {
      kind: 'harden'; registryId: RegistryId; subscriptionId: string; eventId: string; eventTime: string | undefined;
      /** the principal whose write raised the event (from its claims), when they name one */
      caller?: Caller;
    }
  | { kind: 'ignore'; reason: string }
  | { kind: 'malformed'; reason: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

/** The topic of a subscription's system topic (Microsoft.Resources.Subscriptions), the only topic the app listens to. */
const SUBSCRIPTION_TOPIC = /^\/subscriptions\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/** The first of the claims that the event's `data.claims` holds as a string. */
function claimOf(data: Record<string, unknown>, names: readonly string[]): string | undefined {
  const claims = data.claims;
  if (!isObject(claims)) return undefined;
  for (const name of names) {
    const value = str(claims[name]);
    if (value) return value;
  }
  return undefined;
}

/** The caller's object id from an ARM event's claims, when it carries one. */
export function callerObjectIdOf(data: Record<string, unknown>): string | undefined {
  return claimOf(data, OBJECT_ID_CLAIMS);
}

/**
 * The principal whose registry write raised the event, from the event's claims — recorded with the
 * run as an HTTP caller is (the audit trail): object id, UPN for a user, the client app id. It
 * holds no app role of this API (roles: none). Undefined when the claims name no GUID object id.
 */
export function eventCallerOf(data: Record<string, unknown>): Caller | undefined {
  return callerFromClaims({ objectId: callerObjectIdOf(data), upn: claimOf(data, UPN_CLAIMS), appId: claimOf(data, APP_ID_CLAIMS), idtyp: claimOf(data, ['idtyp']) }, []);
}

/**
 * Decides what one delivered event means, for Event Grid schema and CloudEvents 1.0 alike
 * (detected by shape). Only a successful registry write starts a run, and only when its topic
 * (`topic`, or a CloudEvent's `source`) is the system topic of the subscription the registry is
 * in — an event about one subscription delivered as another's is ignored — and unless the caller
 * in its claims is the app itself (`filter.appPrincipalId`): the event of the app's own registry
 * PUT would only start a read-only re-check. Everything else is ignored, and a malformed event is
 * reported as such — never an error that makes Event Grid retry for a day.
 */
export function decideOnEvent(event: unknown, filter: EventFilter = {}): RegistryEventDecision {
  if (!isObject(event)) return { kind: 'malformed', reason: 'the event is not a JSON object' };
  const isCloudEvent = str(event.specversion) !== undefined;
  const type = isCloudEvent ? str(event.type) : str(event.eventType);
  const id = str(event.id);
  const subject = str(event.subject);
  const time = isCloudEvent ? str(event.time) : str(event.eventTime);
  const topic = isCloudEvent ? str(event.source) : str(event.topic);
  if (!type) return { kind: 'malformed', reason: `missing ${isCloudEvent ? 'type' : 'eventType'}` };
  if (!id) return { kind: 'malformed', reason: 'missing id' };
  if (type !== RESOURCE_WRITE_SUCCESS) return { kind: 'ignore', reason: `event type ${logText(type)}` };
  const data = event.data;
  if (!isObject(data)) return { kind: 'malformed', reason: 'missing data' };
  const operation = str(data.operationName);
  if (!operation) return { kind: 'malformed', reason: 'missing data.operationName' };
  if (operation.toLowerCase() !== REGISTRY_WRITE_OPERATION.toLowerCase()) return { kind: 'ignore', reason: `operation ${logText(operation)}` };
  const status = str(data.status);
  if (status !== undefined && status.toLowerCase() !== 'succeeded') return { kind: 'ignore', reason: `status ${logText(status)}` };
  const resourceId = subject ?? str(data.resourceUri);
  if (!resourceId) return { kind: 'malformed', reason: 'missing subject' };
  if (!isResourceOfType(resourceId, REGISTRY_TYPE)) return { kind: 'ignore', reason: `subject ${logText(resourceId)} is not a registry` };
  try {
    const ref = parseRegistryId(resourceId);
    if (!topic) return { kind: 'malformed', reason: `missing ${isCloudEvent ? 'source' : 'topic'}` };
    const topicSubscription = SUBSCRIPTION_TOPIC.exec(topic)?.[1]?.toLowerCase();
    if (topicSubscription === undefined) return { kind: 'ignore', reason: `topic ${logText(topic)} is not a subscription's system topic (/subscriptions/{id})` };
    const subscriptionId = ref.subscriptionId.toLowerCase();
    if (topicSubscription !== subscriptionId) return { kind: 'ignore', reason: `the registry ${ref.id} is not in the subscription of the event's topic ${topic}` };
    const caller = callerObjectIdOf(data);
    if (filter.appPrincipalId && caller?.toLowerCase() === filter.appPrincipalId.toLowerCase()) {
      return { kind: 'ignore', reason: `written by the app itself (principal ${logText(caller)}): ${ref.id}` };
    }
    const writer = eventCallerOf(data);
    return { kind: 'harden', registryId: ref.id, subscriptionId, eventId: id, eventTime: time, ...(writer ? { caller: writer } : {}) };
  } catch (e) {
    return { kind: 'malformed', reason: logText((e as Error).message) };
  }
}
