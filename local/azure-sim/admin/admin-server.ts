import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultInjector, FaultSpec } from '../arm/faults';
import type { LatencyKind } from '../arm/lro';
import type { RequestLog } from '../arm/request-log';
import type { ApprovalMode, SimState } from '../arm/state';
import type { RoleAssignment } from '../arm/rbac';
import type { Throttle, ThrottlePatch } from '../arm/throttle';
import { fixtureResources, loadResources } from '../fixtures';
import { isProfileName, PROFILE_NAMES } from '../profiles';
import type { TokenClaims } from '../tokens';
import { Applications } from '../identity/applications';

export interface AdminDeps {
  state: SimState;
  faults: FaultInjector;
  log: RequestLog;
  throttle: Throttle;
  latency: Record<LatencyKind, number>;
  clientVnets: { get(): string[]; set(ids: string[] | undefined): void; configured(): string[] | undefined };
  applications: Applications;
  eventGridAdmin?: (req: IncomingMessage, res: ServerResponse, subpath: string) => Promise<void>;
}

function send(res: ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) {
    res.writeHead(status, { 'content-length': '0' });
    res.end();
    return;
  }
  const text = JSON.stringify(body, null, 2);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        resolve(text.trim() ? (JSON.parse(text) as unknown) : {});
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
    req.on('error', reject);
  });
}

const MODES: readonly ApprovalMode[] = ['auto', 'manual', 'deny'];

function isStringList(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((a) => typeof a === 'string' && a.trim() !== '');
}

/** The simulator's admin API (plain http on 127.0.0.1); documented in local/azure-sim/README.md ("Admin API"). */
export function createAdminHandler(deps: AdminDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(req, res).catch((e: unknown) => send(res, 400, { error: { code: 'BadRequest', message: e instanceof Error ? e.message : String(e) } }));
  };

  /**
   * PUT one assignment `{scope?, actions, notActions?}` or several `{assignments: [...]}` (replaces
   * the principal's assignments; no scope = the home subscription); DELETE: back to no
   * enforcement; GET: `{principalId, assignments}`.
   */
  async function roleAssignment(req: IncomingMessage, res: ServerResponse, method: string, principalId: string): Promise<void> {
    const { rbac } = deps.state;
    if (method === 'GET') {
      const a = rbac.get(principalId);
      return a ? send(res, 200, { principalId, assignments: a }) : send(res, 404, { error: { code: 'NotFound', message: `No role assignment for ${principalId}: it is not checked.` } });
    }
    if (method === 'DELETE') return send(res, rbac.delete(principalId) ? 204 : 404);
    if (method !== 'PUT') return send(res, 405, { error: { code: 'MethodNotAllowed', message: 'GET, PUT or DELETE.' } });
    const body = (await readJson(req)) as { assignments?: unknown };
    const items: unknown[] = Array.isArray(body.assignments) ? body.assignments : [body];
    const home = `/subscriptions/${deps.state.options.subscriptionId}`;
    const parsed: RoleAssignment[] = [];
    for (const item of items) {
      const a = (typeof item === 'object' && item !== null ? item : {}) as { scope?: unknown; actions?: unknown; notActions?: unknown };
      const scopeOk = a.scope === undefined || (typeof a.scope === 'string' && (a.scope === '/' || /^\/(subscriptions|providers)\//i.test(a.scope)));
      if (!isStringList(a.actions) || (a.notActions !== undefined && !isStringList(a.notActions)) || !scopeOk) {
        return send(res, 400, {
          error: { code: 'BadRequest', message: "Body must be { scope?, actions: string[], notActions?: string[] } or { assignments: [...] } (non-empty strings, * as wildcard; scope '/' or an ARM scope, default the home subscription)." },
        });
      }
      parsed.push({ scope: typeof a.scope === 'string' ? a.scope : home, actions: a.actions, notActions: a.notActions ?? [] });
    }
    if (parsed.length === 0) return send(res, 400, { error: { code: 'BadRequest', message: 'No assignment given (DELETE removes them).' } });
    const { state } = deps;
    rbac.set(principalId, parsed, state.profile.flags.roleAssignmentDelayMs * state.options.timeScale);
    return send(res, 200, { principalId, assignments: rbac.get(principalId) });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const method = req.method ?? 'GET';
    if (path.startsWith('/eventgrid')) {
      if (!deps.eventGridAdmin) return send(res, 404, { error: { code: 'NotFound', message: 'Event Grid emulation is off.' } });
      return deps.eventGridAdmin(req, res, path.slice('/eventgrid'.length).replace(/^\/+/, ''));
    }
    const oneFault = /^\/faults\/([0-9a-f-]+)$/i.exec(path);
    if (method === 'DELETE' && oneFault?.[1]) return send(res, deps.faults.remove(oneFault[1]) ? 204 : 404);
    const application = /^\/applications\/([^/]+)$/i.exec(path);
    if (application?.[1] && method === 'PUT') {
      const body = (await readJson(req)) as { displayName?: unknown; identifierUris?: unknown; appRoles?: unknown; accessTokenVersion?: unknown };
      const appId = decodeURIComponent(application[1]);
      const version = body.accessTokenVersion;
      if (!/^[0-9a-f-]{36}$/i.test(appId) || !isStringList(body.appRoles) || (body.identifierUris !== undefined && !isStringList(body.identifierUris)) || (version !== undefined && version !== 1 && version !== 2)) {
        return send(res, 400, { error: { code: 'BadRequest', message: 'PUT /applications/{appId (GUID)} with { appRoles: string[], identifierUris?: string[], accessTokenVersion?: 1 | 2, displayName? }.' } });
      }
      return send(res, 200, deps.applications.register({
        appId, appRoles: body.appRoles,
        ...(body.identifierUris ? { identifierUris: body.identifierUris } : {}),
        ...(typeof body.displayName === 'string' ? { displayName: body.displayName } : {}),
        ...(version === 1 || version === 2 ? { accessTokenVersion: version } : {}),
      }));
    }
    const appRoleAssignment = /^\/app-role-assignments\/([^/]+)$/i.exec(path);
    if (appRoleAssignment?.[1] && method === 'PUT') {
      const body = (await readJson(req)) as { appId?: unknown; roles?: unknown };
      const roles = body.roles;
      if (typeof body.appId !== 'string' || !Array.isArray(roles) || !roles.every((r) => typeof r === 'string')) {
        return send(res, 400, { error: { code: 'BadRequest', message: 'PUT /app-role-assignments/{principalId} with { appId, roles: string[] } (replaces that principal\'s roles on the app).' } });
      }
      const principalId = decodeURIComponent(appRoleAssignment[1]);
      return send(res, 200, { principalId, appId: body.appId, roles: deps.applications.assign(principalId, body.appId, roles as string[]) });
    }
    const assignment = /^\/role-assignments\/([^/]+)$/i.exec(path);
    if (assignment?.[1]) return roleAssignment(req, res, method, decodeURIComponent(assignment[1]));
    const route = `${method} ${path}`;
    switch (route) {
      case 'GET /':
      case 'GET /health':
        return send(res, 200, { ok: true, armEndpoint: deps.state.armBase, subscriptionId: deps.state.options.subscriptionId, tenantId: deps.state.options.tenantId });
      case 'GET /requests':
        return send(res, 200, deps.log.list());
      case 'DELETE /requests':
        deps.log.clear();
        return send(res, 204);
      case 'GET /faults':
        return send(res, 200, deps.faults.list().map(({ regex: _r, released: _s, ...rest }) => rest));
      case 'POST /faults': {
        const body = await readJson(req);
        const specs = (Array.isArray(body) ? body : [body]) as FaultSpec[];
        const added = specs.map((s) => deps.faults.add(s)).map(({ regex: _r, released: _s, ...rest }) => rest);
        return send(res, 201, Array.isArray(body) ? added : added[0]);
      }
      case 'DELETE /faults':
        deps.faults.clear();
        return send(res, 204);
      case 'POST /approval-mode': {
        const body = (await readJson(req)) as { targetId?: unknown; mode?: unknown };
        if (typeof body.targetId !== 'string' || !MODES.includes(body.mode as ApprovalMode)) {
          return send(res, 400, { error: { code: 'BadRequest', message: `Body must be { targetId, mode: ${MODES.join('|')} }.` } });
        }
        deps.state.approvalModes.set(body.targetId.toLowerCase(), body.mode as ApprovalMode);
        return send(res, 200, { targetId: body.targetId, mode: body.mode });
      }
      case 'GET /profile':
        return send(res, 200, deps.state.profile.describe());
      case 'PUT /profile': {
        const body = (await readJson(req)) as { name?: unknown };
        if (!isProfileName(body.name)) return send(res, 400, { error: { code: 'BadRequest', message: `Body must be { name: ${PROFILE_NAMES.join('|')} }.` } });
        deps.state.profile.set(body.name);
        return send(res, 200, deps.state.profile.describe());
      }
      case 'GET /role-assignments':
        return send(res, 200, deps.state.rbac.all());
      case 'GET /approval-mode':
        return send(res, 200, Object.fromEntries(deps.state.approvalModes));
      case 'GET /resources': {
        const type = url.searchParams.get('type');
        const under = url.searchParams.get('under') ?? undefined;
        const all = type ? deps.state.store.list(type, under) : deps.state.store.all();
        return send(res, 200, all);
      }
      case 'POST /fixtures': {
        const { resources, rejected } = fixtureResources(await readJson(req));
        const loaded = loadResources(deps.state.store, resources);
        return send(res, rejected.length && !loaded.length ? 400 : 201, { loaded: loaded.map((r) => r.id), rejected });
      }
      case 'GET /dns/client-vnets':
        return send(res, 200, { configured: deps.clientVnets.configured() ?? null, effective: deps.clientVnets.get() });
      case 'POST /dns/client-vnets': {
        const body = (await readJson(req)) as { vnetIds?: unknown };
        if (body.vnetIds !== null && !(Array.isArray(body.vnetIds) && body.vnetIds.every((v) => typeof v === 'string'))) {
          return send(res, 400, { error: { code: 'BadRequest', message: 'Body must be { vnetIds: string[] } (null = every VNet).' } });
        }
        deps.clientVnets.set(body.vnetIds === null ? undefined : (body.vnetIds as string[]));
        return send(res, 200, { configured: deps.clientVnets.configured() ?? null, effective: deps.clientVnets.get() });
      }
      case 'GET /throttling':
        return send(res, 200, deps.throttle.current());
      case 'POST /throttling':
        return send(res, 200, deps.throttle.configure((await readJson(req)) as ThrottlePatch));
      case 'GET /latency':
        return send(res, 200, deps.latency);
      case 'POST /latency': {
        const body = (await readJson(req)) as Record<string, unknown>;
        for (const [k, v] of Object.entries(body)) {
          if (k in deps.latency && typeof v === 'number' && v >= 0) deps.latency[k as LatencyKind] = v;
        }
        return send(res, 200, deps.latency);
      }
      case 'GET /applications':
        return send(res, 200, deps.applications.list());
      case 'GET /app-role-assignments':
        return send(res, 200, deps.applications.allAssignments());
      case 'POST /tokens/user': {
        // a user's access token for an app registration, as Entra issues it after sign-in (the API's token version; roles from the body or the user's assignments)
        const body = (await readJson(req)) as { appId?: unknown; audience?: unknown; roles?: unknown; oid?: unknown; upn?: unknown; name?: unknown; lifetimeSeconds?: unknown; claims?: unknown };
        const app = typeof body.appId === 'string' ? deps.applications.find(body.appId) : undefined;
        if (!app) return send(res, 400, { error: { code: 'BadRequest', message: 'Body must name a registered app: { appId, roles?, oid?, upn?, name?, audience?, lifetimeSeconds?, claims? }.' } });
        if (body.roles !== undefined && !(Array.isArray(body.roles) && body.roles.every((r) => typeof r === 'string'))) return send(res, 400, { error: { code: 'BadRequest', message: 'roles must be a list of strings.' } });
        const oid = typeof body.oid === 'string' ? body.oid : '00000000-0000-0000-0000-00000000d001';
        const roles = (body.roles as string[] | undefined) ?? deps.applications.rolesOf(oid, app.appId);
        const lifetime = typeof body.lifetimeSeconds === 'number' ? body.lifetimeSeconds : 3600;
        const upn = typeof body.upn === 'string' ? body.upn : 'demo.user@contoso.example';
        const extra = (typeof body.claims === 'object' && body.claims !== null ? body.claims : {}) as Partial<TokenClaims>;
        const resource = typeof body.audience === 'string' ? body.audience : (app.identifierUris[0] ?? app.appId);
        // the Azure CLI's client id: the app a user typically gets the token with
        const shaped = Applications.tokenClaims(app, resource, deps.state.tokens.tenantId, { oid, clientAppId: '04b07795-8ddb-461a-bbee-02f9e1bf7b46', roles, user: { upn, name: typeof body.name === 'string' ? body.name : upn } });
        // an explicit audience is taken as given (e.g. another API's, for a wrong-audience token)
        const { token, claims } = deps.state.tokens.issue(resource, lifetime, { ...shaped, ...(typeof body.audience === 'string' ? { aud: body.audience } : {}), ...extra });
        return send(res, 200, { access_token: token, claims });
      }
      case 'POST /tokens': {
        const body = (await readJson(req)) as { resource?: unknown; lifetimeSeconds?: unknown; claims?: unknown };
        const resource = typeof body.resource === 'string' ? body.resource : 'https://management.azure.com/';
        const lifetime = typeof body.lifetimeSeconds === 'number' ? body.lifetimeSeconds : 3600;
        const overrides = (typeof body.claims === 'object' && body.claims !== null ? body.claims : {}) as Partial<TokenClaims>;
        const { token, claims } = deps.state.tokens.issue(resource, lifetime, overrides);
        return send(res, 200, { access_token: token, claims });
      }
      default:
        return send(res, 404, { error: { code: 'NotFound', message: `No admin route ${route}.` } });
    }
  }
}
