import type { EventGridPublisherClient } from '@azure/eventgrid';
import type { OutcomePort } from '../hardening/domain/ports';
import { isRestError } from '@azure/core-rest-pipeline';
import { ErrorCodes, LockdownError } from '../shared/errors';
import { APP_NAME } from '../shared/version';
import { isRequestTimeout } from './arm-pipeline';
import { parseArmError } from './arm-errors';
import { credentialError, isCredentialError } from './sdk-errors';

/** Why the topic refused (or never answered), as a coded error; retryable unless the topic said no for good. */
function publishError(type: string, e: unknown): LockdownError {
  if (isCredentialError(e)) return credentialError(e);
  const status = isRestError(e) ? e.statusCode : undefined;
  const reason = isRequestTimeout(e)
    ? e.message
    : status !== undefined
      ? `the topic answered ${status} ${parseArmError(isRestError(e) ? e.response?.bodyAsText ?? undefined : undefined)?.message ?? ''}`.trim()
      : `it failed on the way: ${e instanceof Error ? e.message : String(e)}`;
  const retryable = status === undefined || status === 408 || status === 429 || status >= 500;
  return new LockdownError(ErrorCodes.OUTCOME_PUBLISH_FAILED, `the outcome event ${type} could not be published to OUTCOME_TOPIC_ENDPOINT: ${reason}; check the topic and the app's EventGrid Data Sender role, then start the run again (a hardened registry costs no writes).`, { cause: e, retryable });
}

/** Publishes outcome CloudEvents to the configured custom topic (Entra auth, no keys). */
export class OutcomePublisherAdapter implements OutcomePort {
  /** `client`: the topic's client, made on first use; none when no topic is configured */
  constructor(private readonly client: (() => Promise<EventGridPublisherClient<'CloudEvent'>>) | undefined) {}

  async publish({ id, type, subject, data }: { id: string; type: string; subject: string; data: unknown }): Promise<boolean> {
    if (!this.client) return false;
    const client = await this.client();
    try {
      await client.send([{ id, type, source: `/${APP_NAME}`, subject, data, datacontenttype: 'application/json' }]);
    } catch (e) {
      throw publishError(type, e);
    }
    return true;
  }
}
