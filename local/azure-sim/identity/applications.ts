/**
 * App registrations of the local tenant and their app role assignments, as Entra keeps them:
 * an API (`api://<appId>`, or its client id) declares app roles; users, service principals and
 * managed identities are assigned roles; a token for the API carries the caller's roles in the
 * `roles` claim (none assigned: no claim). A token for an `api://` resource nobody registered is
 * refused, as Entra refuses it (AADSTS500011). The API's `requestedAccessTokenVersion` (its
 * manifest's `api.requestedAccessTokenVersion`) decides the token's shape, whoever asks: v1 —
 * `aud` the identifier URI as requested, `iss` https://sts.windows.net/{tenant}/, `appid`, `upn`;
 * v2 — `aud` the client id, `iss` https://login.microsoftonline.com/{tenant}/v2.0, `azp`,
 * `preferred_username`, `ver` 2.0.
 */
import { v2Issuer, type TokenClaims } from '../tokens';

export interface AppRegistration {
  /** the client (application) id */
  appId: string;
  displayName?: string;
  /** identifier URIs; default `api://<appId>` */
  identifierUris?: string[];
  /** the values of its app roles, e.g. Lockdown.Reader */
  appRoles: string[];
  /** api.requestedAccessTokenVersion: 1 (default, as Entra's null) or 2 */
  accessTokenVersion?: 1 | 2;
}

/** Who a token for an API is issued to. */
export interface TokenSubject {
  /** object id */
  oid: string;
  /** the client application the token is obtained with (a managed identity's own client id, or e.g. the Azure CLI's) */
  clientAppId: string;
  roles: string[];
  /** a person (absent: an application / managed identity) */
  user?: { upn: string; name: string };
}

function norm(s: string): string {
  return s.toLowerCase().replace(/\/\.default$/, '').replace(/\/+$/, '');
}

export class Applications {
  private readonly apps = new Map<string, Required<AppRegistration>>();
  /** principal object id (lower case) → app id → role values */
  private readonly assignments = new Map<string, Map<string, Set<string>>>();

  constructor(initial: readonly AppRegistration[] = []) {
    for (const a of initial) this.register(a);
  }

  register(app: AppRegistration): Required<AppRegistration> {
    const full: Required<AppRegistration> = {
      appId: app.appId.toLowerCase(),
      displayName: app.displayName ?? app.appId,
      identifierUris: app.identifierUris ?? [`api://${app.appId.toLowerCase()}`],
      appRoles: [...new Set(app.appRoles)],
      accessTokenVersion: app.accessTokenVersion ?? 1,
    };
    this.apps.set(full.appId, full);
    return full;
  }

  list(): Array<Required<AppRegistration>> {
    return [...this.apps.values()];
  }

  /** The registration a resource (client id, identifier URI, or either with `/.default`) names. */
  find(resource: string): Required<AppRegistration> | undefined {
    const r = norm(resource);
    return [...this.apps.values()].find((a) => a.appId === r || a.identifierUris.some((u) => norm(u) === r));
  }

  /** Whether a resource looks like an app registration's (an `api://` URI or a GUID) rather than a first-party API. */
  static looksLikeAppResource(resource: string): boolean {
    const r = norm(resource);
    return r.startsWith('api://') || /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(r);
  }

  /** Replaces the principal's roles on the app; the roles must be the app's. */
  assign(principalId: string, appId: string, roles: readonly string[]): string[] {
    const app = this.apps.get(appId.toLowerCase());
    if (!app) throw new Error(`no app registration ${appId}`);
    const unknown = roles.filter((r) => !app.appRoles.includes(r));
    if (unknown.length > 0) throw new Error(`app ${app.appId} has no app role ${unknown.join(', ')} (it has ${app.appRoles.join(', ') || 'none'})`);
    const byApp = this.assignments.get(principalId.toLowerCase()) ?? new Map<string, Set<string>>();
    byApp.set(app.appId, new Set(roles));
    this.assignments.set(principalId.toLowerCase(), byApp);
    return [...roles];
  }

  /** The principal's roles on the app the resource names (empty: none assigned). */
  rolesOf(principalId: string, resource: string): string[] {
    const app = this.find(resource);
    if (!app) return [];
    return [...(this.assignments.get(principalId.toLowerCase())?.get(app.appId) ?? [])].sort();
  }

  /**
   * The claims of a token for the API that `resource` names, in the API's token version (passed
   * as overrides to TokenAuthority.issue, which signs).
   */
  static tokenClaims(app: Required<AppRegistration>, resource: string, tenantId: string, who: TokenSubject): Partial<TokenClaims> {
    const roles = who.roles.length > 0 ? { roles: who.roles } : {};
    if (app.accessTokenVersion === 2) {
      return {
        aud: app.appId, iss: v2Issuer(tenantId), ver: '2.0', oid: who.oid, azp: who.clientAppId, azpacr: '0', appid: undefined, idtyp: undefined,
        ...(who.user ? { preferred_username: who.user.upn, name: who.user.name, scp: 'user_impersonation' } : {}),
        ...roles,
      };
    }
    return {
      aud: norm(resource).startsWith('api://') ? norm(resource) : app.appId, ver: '1.0', oid: who.oid, appid: who.clientAppId,
      ...(who.user ? { idtyp: 'user', upn: who.user.upn, unique_name: who.user.upn, name: who.user.name, scp: 'user_impersonation' } : { idtyp: 'app' }),
      ...roles,
    };
  }

  allAssignments(): Array<{ principalId: string; appId: string; roles: string[] }> {
    return [...this.assignments.entries()].flatMap(([principalId, byApp]) => [...byApp.entries()].map(([appId, roles]) => ({ principalId, appId, roles: [...roles].sort() })));
  }
}
