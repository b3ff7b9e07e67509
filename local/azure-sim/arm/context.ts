import type { IncomingHttpHeaders } from 'node:http';
import type { TokenClaims } from '../tokens';
import type { ApiGroup } from './api-versions';
import type { ArmErrorDetail } from './errors';

export type HttpMethod = 'GET' | 'PUT' | 'PATCH' | 'POST' | 'DELETE' | 'HEAD';

/** One check ARM made for a request (arm/rbac.ts): the action, over which scope, whether the caller's role covered it. */
export interface AuthorizationCheck {
  action: string;
  scope: string;
  linked: boolean;
  allowed: boolean;
}

/** One authenticated, parsed ARM request as handed to a provider. */
export interface ArmRequest {
  method: HttpMethod;
  /** path without query, as sent (case kept) */
  path: string;
  query: URLSearchParams;
  apiVersion: string;
  headers: IncomingHttpHeaders;
  body: unknown;
  params: Record<string, string>;
  claims: TokenClaims;
  principalId: string;
  correlationId: string;
  requestId: string;
  clientRequestId: string;
  clientIp: string;
  /** full URL as the client sent it (for event httpRequest.url) */
  url: string;
  /** the authorization checks made for this request: the request's own action first, then linked ones (providers add them) */
  checks: AuthorizationCheck[];
  /** set when an injected `lroFail` fault matched this request */
  injectedLroFailure?: ArmErrorDetail;
  /** set when an injected `lroStall` fault matched: the LRO stays InProgress until this settles */
  injectedLroStall?: Promise<void>;
}

export interface ArmResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Route {
  method: HttpMethod;
  template: string;
  apiGroup: ApiGroup;
  handler: (req: ArmRequest) => ArmResult | Promise<ArmResult>;
}

export interface Provider {
  routes(): Route[];
}
