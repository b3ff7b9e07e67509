/**
 * The load generator of section 5, run in a worker thread so that it does not share the
 * simulator's event loop: `concurrency` loops send one kind of request back to back over
 * keep-alive https connections for `durationMs` (after a warm-up) and report what was answered.
 * It posts `{ type: 'window' }` when the measured window opens, then the LoadResult.
 */
import * as https from 'node:https';
import { parentPort, workerData } from 'node:worker_threads';

export interface LoadJob {
  armEndpoint: string;
  caCertPem: string;
  token: string;
  method: 'GET' | 'PUT';
  /** path with query for request number i */
  paths: string[];
  body?: string;
  concurrency: number;
  warmupMs: number;
  durationMs: number;
}

export interface LoadResult {
  type: 'result';
  answered: number;
  elapsedMs: number;
  /** status → count, for answers other than 200/201 */
  failures: Record<string, number>;
}

function send(agent: https.Agent, job: LoadJob, path: string): Promise<number> {
  return new Promise((resolve) => {
    const req = https.request(`${job.armEndpoint}${path}`, {
      method: job.method,
      agent,
      headers: { authorization: `Bearer ${job.token}`, ...(job.body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(job.body) } : {}) },
    }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve(0));
    });
    req.on('error', () => resolve(0));
    req.end(job.body);
  });
}

async function run(job: LoadJob, windowOpens: () => void): Promise<LoadResult> {
  const agent = new https.Agent({ keepAlive: true, maxSockets: job.concurrency, ca: job.caCertPem });
  const start = Date.now();
  const measureFrom = start + job.warmupMs;
  const end = measureFrom + job.durationMs;
  let answered = 0;
  let next = 0;
  const failures: Record<string, number> = {};
  setTimeout(windowOpens, job.warmupMs);
  const loop = async (): Promise<void> => {
    while (Date.now() < end) {
      const path = job.paths[next++ % job.paths.length] as string;
      const status = await send(agent, job, path);
      const done = Date.now();
      if (done < measureFrom || done > end) continue;
      if (status === 200 || status === 201) answered++;
      else failures[String(status)] = (failures[String(status)] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: job.concurrency }, loop));
  agent.destroy();
  return { type: 'result', answered, elapsedMs: job.durationMs, failures };
}

if (parentPort) {
  const port = parentPort;
  void run(workerData as LoadJob, () => port.postMessage({ type: 'window' })).then((r) => port.postMessage(r));
}
