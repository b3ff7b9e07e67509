import type * as http from 'node:http';
import { EVENTGRID_AUDIENCE, type TokenAuthority } from '../tokens';
import { egError, internalError, MAX_BODY_BYTES, readBody } from './http';
import { push } from './log';
import { cloudEventProblem } from './schema';

/**
 * Custom topics: the publish endpoint EventGridPublisherClient posts to. CloudEvents 1.0 only
 * (single or batch), api-version 2018-01-01, Microsoft Entra tokens only (key and SAS
 * authentication is off, as the infra deploys the topic with disableLocalAuth: true).
 * Accepted events are kept per topic in `received` (by lower-case topic name).
 */
export type TopicHandler = (req: http.IncomingMessage, res: http.ServerResponse, topicName: string) => Promise<void>;

export function createTopics(tokens: TokenAuthority, received: Map<string, Record<string, unknown>[]>): TopicHandler {
  return async function handleTopic(req, res, topicName) {
    try {
      const host = `${topicName}.local-1.eventgrid.azure.net`;
      if (req.method !== 'POST') {
        return egError(res, 405, 'MethodNotAllowed', `The requested resource does not support http method '${req.method ?? ''}'.`);
      }
      if (req.headers['aeg-sas-key'] !== undefined || req.headers['aeg-sas-token'] !== undefined) {
        await readBody(req, MAX_BODY_BYTES);
        return egError(
          res,
          401,
          'Unauthorized',
          `The request authorization key is not authorized for ${host.toUpperCase()}. This is due to the reason: Local authentication (key and SAS) is disabled for this topic; use a Microsoft Entra token for ${EVENTGRID_AUDIENCE}.`,
        );
      }
      const auth = tokens.verify(req.headers.authorization, EVENTGRID_AUDIENCE);
      if (!auth.ok) {
        await readBody(req, MAX_BODY_BYTES);
        return egError(res, 401, 'Unauthorized', `The request authorization is not valid for ${host.toUpperCase()}. This is due to the reason: ${auth.code}: ${auth.message}`);
      }
      const apiVersion = new URL(req.url ?? '/', 'http://local').searchParams.get('api-version');
      if (!apiVersion) {
        await readBody(req, MAX_BODY_BYTES);
        return egError(res, 400, 'BadRequest', "The 'api-version' query parameter is required.");
      }
      if (apiVersion !== '2018-01-01') {
        await readBody(req, MAX_BODY_BYTES);
        return egError(res, 400, 'BadRequest', `The api-version '${apiVersion}' is not supported. Supported: 2018-01-01.`);
      }
      const raw = await readBody(req, MAX_BODY_BYTES);
      if (raw === 'too-large') return egError(res, 413, 'RequestEntityTooLarge', 'The maximum size (1536000) has been exceeded.');
      const contentType = String(req.headers['content-type'] ?? '').toLowerCase();
      const batch = contentType.startsWith('application/cloudevents-batch+json');
      const single = contentType.startsWith('application/cloudevents+json');
      if (!batch && !single) {
        return egError(res, 400, 'BadRequest', `This resource is configured to receive events in the CloudEvents 1.0 schema; content type '${contentType || '(none)'}' is not accepted. Use application/cloudevents-batch+json.`);
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw.toString('utf8'));
      } catch {
        return egError(res, 400, 'BadRequest', 'The request body is not valid JSON.', [{ code: 'InputJsonInvalid', message: 'The request body is not valid JSON.' }]);
      }
      const events = batch ? parsed : [parsed];
      if (!Array.isArray(events)) {
        return egError(res, 400, 'BadRequest', 'A batch (application/cloudevents-batch+json) must be a JSON array of CloudEvents.', [{ code: 'InputJsonInvalid', message: 'Expected a JSON array.' }]);
      }
      if (events.length === 0) return egError(res, 400, 'BadRequest', 'The batch contains no events.');
      for (const [i, e] of events.entries()) {
        const problem = cloudEventProblem(e, i);
        if (problem) return egError(res, 400, 'BadRequest', `The event does not conform to the CloudEvents 1.0 schema: ${problem}`, [{ code: 'InputJsonInvalid', message: problem }]);
      }
      const key = topicName.toLowerCase();
      const list = received.get(key) ?? [];
      received.set(key, list);
      for (const e of events as Record<string, unknown>[]) push(list, e);
      res.writeHead(200, { 'content-length': 0 });
      res.end();
    } catch (err) {
      internalError(res, err);
    }
  };
}
