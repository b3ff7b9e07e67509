import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import { loadOrCreateDevCa } from '../../../local/azure-sim/ca';
import { DEFAULT_DEV_CA_DIR } from '../../../local/azure-sim/dev-ca';
import type { RequestLogEntry } from '../../../local/azure-sim/arm/request-log';
import type { FaultSpec } from '../../../local/azure-sim/arm/faults';
import { startAzureSim, type AzureSim, type SimOptions } from '../../../local/azure-sim/server';

/**
 * Starts the local Azure for one suite. The https certificate comes from the checkout's dev CA
 * (what `npm test` trusts via NODE_EXTRA_CA_CERTS); clients built with `sdkOptions` also trust it
 * explicitly through `tlsOptions.ca`, so plain `npx jest` works too.
 */
export async function startSim(opts: SimOptions = {}): Promise<AzureSim> {
  return startAzureSim({ ca: loadOrCreateDevCa(DEFAULT_DEV_CA_DIR), throttling: false, ...opts });
}

/**
 * Options every @azure/arm-* client accepts: endpoint, CA, short retry delays, and the ARM scope
 * (some clients, e.g. arm-containerregistry, derive the scope from the endpoint otherwise).
 */
export function sdkOptions(sim: AzureSim): {
  endpoint: string;
  credentials: { scopes: string[] };
  tlsOptions: { ca: string };
  retryOptions: { maxRetries: number; retryDelayInMs: number; maxRetryDelayInMs: number };
} {
  return {
    endpoint: sim.armEndpoint,
    credentials: { scopes: ['https://management.azure.com/.default'] },
    tlsOptions: { ca: sim.caCertPem },
    retryOptions: { maxRetries: 3, retryDelayInMs: 10, maxRetryDelayInMs: 2000 },
  };
}

/** Per-operation LRO options: poll fast (the sim answers Retry-After: 0 by default). */
export const fastPoll = { updateIntervalInMs: 5 } as const;

/** A TokenCredential issuing the sim's tokens in-process (the credential chain is tested separately). */
export function simCredential(sim: AzureSim, lifetimeSeconds = 3600): TokenCredential {
  return {
    async getToken(scopes: string | string[], _options?: GetTokenOptions): Promise<AccessToken> {
      const scope = Array.isArray(scopes) ? (scopes[0] ?? '') : scopes;
      const { token, claims } = sim.tokens.issue(scope, lifetimeSeconds);
      return { token, expiresOnTimestamp: claims.exp * 1000 };
    },
  };
}

/** A credential returning a fixed token string (for 401 tests). */
export function staticCredential(token: string): TokenCredential {
  return {
    async getToken(): Promise<AccessToken> {
      return { token, expiresOnTimestamp: Date.now() + 3600_000 };
    },
  };
}

async function admin<T>(sim: AzureSim, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${sim.adminUrl}${path}`, {
    method,
    ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
  });
  const text = await res.text();
  if (res.status >= 400) throw new Error(`admin ${method} ${path} -> ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

export const simAdmin = {
  requests: (sim: AzureSim): Promise<RequestLogEntry[]> => admin<RequestLogEntry[]>(sim, 'GET', '/requests'),
  clearRequests: (sim: AzureSim): Promise<void> => admin<void>(sim, 'DELETE', '/requests'),
  fault: (sim: AzureSim, spec: FaultSpec): Promise<unknown> => admin(sim, 'POST', '/faults', spec),
  approvalMode: (sim: AzureSim, targetId: string, mode: 'auto' | 'manual' | 'deny'): Promise<unknown> => admin(sim, 'POST', '/approval-mode', { targetId, mode }),
  throttling: (sim: AzureSim, cfg: unknown): Promise<unknown> => admin(sim, 'POST', '/throttling', cfg),
  fixtures: (sim: AzureSim, json: unknown): Promise<{ loaded: string[]; rejected: string[] }> => admin(sim, 'POST', '/fixtures', json),
  resources: (sim: AzureSim, type: string): Promise<{ id: string }[]> => admin(sim, 'GET', `/resources?type=${encodeURIComponent(type)}`),
};

/** Raw ARM call (for wire-level assertions the SDKs hide). */
export async function armFetch(
  sim: AzureSim,
  method: string,
  pathAndQuery: string,
  opts: { token?: string | null; body?: unknown } = {},
): Promise<{ status: number; headers: Record<string, string>; body: unknown; text: string }> {
  const { request } = await import('node:https');
  const token = opts.token === undefined ? sim.tokens.issue('https://management.azure.com/').token : opts.token;
  const url = new URL(pathAndQuery.startsWith('http') ? pathAndQuery : `${sim.armEndpoint}${pathAndQuery}`);
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        ca: sim.caCertPem,
        headers: {
          ...(token !== null ? { authorization: `Bearer ${token}` } : {}),
          ...(payload ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers[k] = v;
          let body: unknown = undefined;
          try {
            body = text ? (JSON.parse(text) as unknown) : undefined;
          } catch {
            body = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers, body, text });
        });
      },
    );
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}
