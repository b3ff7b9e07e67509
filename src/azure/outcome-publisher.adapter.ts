import type { EventGridPublisherClient } from '@azure/eventgrid';
import type { OutcomePort } from '../domain/ports';
import { APP_NAME } from '../version';

/** Publishes outcome CloudEvents to the configured custom topic (Entra auth, no keys). */
export class OutcomePublisherAdapter implements OutcomePort {
  constructor(private readonly client: EventGridPublisherClient<'CloudEvent'> | undefined) {}

  async publish(type: string, subject: string, data: unknown): Promise<boolean> {
    if (!this.client) return false;
    await this.client.send([{ type, source: `/${APP_NAME}`, subject, data, datacontenttype: 'application/json' }]);
    return true;
  }
}
