import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../src/config';
import { evaluate, type Value } from './bicep-eval';
import { read, ROOT, stripComments } from './bicep-text';
import { AUTH_APP_ID, deploy, instancesOf, moduleContext, moduleParams, TENANT, template } from './deployment';

/**
 * Who may call the HTTP API, in Azure: App Service Authentication (authsettingsV2) on the function
 * app with the Entra app registration the preprovision hook makes (or AUTH_APP_ID names).
 */
const FA = template('infra/app/function-app.bicep');

function siteConfig(symbol: 'auth' | 'web', values: Record<string, Value> = {}): Record<string, Value> {
  const ctx = moduleContext(FA, moduleParams('functionApp', values));
  const [one] = instancesOf(FA, symbol, ctx, ['name', 'properties']);
  if (!one) throw new Error(`${symbol} is not deployed`);
  return one;
}

describe('App Service Authentication in front of the HTTP API', () => {
  const auth = siteConfig('auth');
  const props = auth.properties as Record<string, Record<string, Value>>;

  it('is the authsettingsV2 of the site, on, with Entra ID the only provider', () => {
    expect(auth.name).toBe('authsettingsV2');
    expect(props.platform).toEqual({ enabled: true });
    expect(Object.keys(props.identityProviders ?? {})).toEqual(['azureActiveDirectory']);
    expect(stripComments(read('infra/app/function-app.bicep'))).toMatch(/resource auth 'Microsoft\.Web\/sites\/config@[^']+' = \{\s*parent: site\s*name: 'authsettingsV2'/);
  });

  it('every call needs a token (401 otherwise) except the Event Grid webhook, which keeps the host\'s system-key check', () => {
    expect(props.globalValidation).toEqual({
      requireAuthentication: true,
      unauthenticatedClientAction: 'Return401',
      excludedPaths: ['/runtime/webhooks/eventgrid', '/runtime/webhooks/EventGrid'],
    });
    // nothing of the API itself is excluded
    for (const p of props.globalValidation?.excludedPaths as string[]) expect(p).toMatch(/^\/runtime\/webhooks\/eventgrid$/i);
    expect(props.httpSettings).toEqual({ requireHttps: true });
  });

  it('accepts tokens of this tenant for the app registration (audience api://<app id> or the id), with no client secret and no token store', () => {
    const aad = props.identityProviders?.azureActiveDirectory as Record<string, Record<string, Value>>;
    expect(aad.enabled).toBe(true);
    expect(aad.registration).toEqual({ clientId: AUTH_APP_ID, openIdIssuer: `https://login.microsoftonline.com/${TENANT}/v2.0` });
    expect(aad.validation).toEqual({ allowedAudiences: [`api://${AUTH_APP_ID}`, AUTH_APP_ID] });
    expect(JSON.stringify(props)).not.toMatch(/secret/i);
    expect(props.login).toEqual({ tokenStore: { enabled: false } });
  });

  it('AUTH_APP_ID is trimmed, and the deployment is refused without it, or with something that is not a client id', () => {
    const ctx = moduleContext(FA, moduleParams('functionApp', { authAppId: ` ${AUTH_APP_ID} ` }));
    const [one] = instancesOf(FA, 'auth', ctx, ['properties']);
    expect(((one?.properties as Record<string, Record<string, Record<string, Value>>>).identityProviders?.azureActiveDirectory?.registration as Record<string, Value>).clientId).toBe(AUTH_APP_ID);
    for (const authAppId of ['', 'api://3c5e8f7a-1b2c-4d3e-8f90-a1b2c3d4e5f6', 'my-app']) {
      expect([authAppId, deploy({ authAppId }).refused]).toEqual([authAppId, expect.stringMatching(/AUTH_APP_ID must be the client id \(a GUID\) of the Entra app registration/)]);
    }
    expect(read('infra/main.parameters.json')).toContain('"authAppId": { "value": "${AUTH_APP_ID=}" }');
  });
});

describe('the app registration: its app roles and API settings (infra/auth)', () => {
  const roles = JSON.parse(read('infra/auth/app-roles.json')) as Array<Record<string, Value>>;
  const scopes = JSON.parse(read('infra/auth/api-scopes.json')) as { api: Record<string, Value> };
  const api = JSON.parse(read('infra/auth/api.json')) as { api: Record<string, Value> };

  it('three app roles, for users and apps, with fixed unique ids', () => {
    expect(roles.map((r) => r.value)).toEqual(['Lockdown.Reader', 'Lockdown.Operator', 'Lockdown.NetworkAdmin']);
    for (const r of roles) {
      expect(r.allowedMemberTypes).toEqual(['User', 'Application']);
      expect(r.isEnabled).toBe(true);
      expect(r.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(String(r.description).length).toBeGreaterThan(20);
    }
    expect(new Set(roles.map((r) => r.id)).size).toBe(3);
  });

  it('v2 tokens; one delegated scope, pre-authorized for the Azure CLI and Azure PowerShell (DefaultAzureCredential\'s developer sign-ins)', () => {
    const [scope] = scopes.api.oauth2PermissionScopes as Array<Record<string, Value>>;
    expect(scopes.api.requestedAccessTokenVersion).toBe(2);
    expect(scope).toMatchObject({ value: 'user_impersonation', type: 'User', isEnabled: true });
    expect(api.api.oauth2PermissionScopes).toEqual(scopes.api.oauth2PermissionScopes);
    expect(api.api.requestedAccessTokenVersion).toBe(2);
    expect(api.api.preAuthorizedApplications).toEqual([
      { appId: '04b07795-8ddb-461a-bbee-02f9e1bf7b46', delegatedPermissionIds: [scope?.id] },
      { appId: '1950a258-227b-4e31-a9cf-717495945fc2', delegatedPermissionIds: [scope?.id] },
    ]);
    expect(new Set([...roles.map((r) => r.id), scope?.id]).size).toBe(4);
  });
});

/**
 * The preprovision hook, run for real with `az` and `azd` replaced by stubs on PATH that log their
 * arguments and answer like the CLIs (the wire of a shell script).
 */
describe('the azd preprovision hook (infra/scripts/preprovision.sh)', () => {
  const NEW_APP = '0f1e2d3c-4b5a-4697-8877-665544332211';
  const AUTH = join(ROOT, 'infra', 'auth');

  function run(env: Record<string, string>): { status: number | null; calls: string[]; stderr: string; stdout: string } {
    const dir = mkdtempSync(join(tmpdir(), 'preprovision-'));
    const log = join(dir, 'calls.log');
    writeFileSync(log, '');
    const az = `#!/bin/sh
echo "az $*" >> "$STUB_LOG"
case "$*" in
  *"$STUB_FAIL"*) [ -n "$STUB_FAIL" ] && { echo "stub: failing $*" >&2; exit 1; } ;;
esac
case "$*" in
  "ad app list "*) [ -n "\${STUB_EXISTING_APP:-}" ] && echo "$STUB_EXISTING_APP"; exit 0 ;;
  "ad app create "*) echo "${NEW_APP}" ;;
  "ad app show "*"--query appId"*) echo "\${AUTH_APP_ID:-${NEW_APP}}" ;;
  "ad app show "*"--query id"*) echo "app-object-1" ;;
  "cloud show "*) echo "https://graph.microsoft.com/" ;;
  "ad sp list "*) [ -n "\${STUB_EXISTING_SP:-}" ] && echo "sp-object-1"; exit 0 ;;
  "ad sp create "*) echo "sp-object-1" ;;
esac
exit 0
`;
    const azd = '#!/bin/sh\necho "azd $*" >> "$STUB_LOG"\n';
    writeFileSync(join(dir, 'az'), az);
    writeFileSync(join(dir, 'azd'), azd);
    chmodSync(join(dir, 'az'), 0o755);
    chmodSync(join(dir, 'azd'), 0o755);
    const out = spawnSync('sh', [join(ROOT, 'infra', 'scripts', 'preprovision.sh')], {
      env: { PATH: `${dir}:/usr/bin:/bin`, STUB_LOG: log, STUB_FAIL: '', AZURE_ENV_NAME: 'dev', ...env },
      encoding: 'utf8',
    });
    return { status: out.status, calls: readFileSync(log, 'utf8').split('\n').filter((l) => l !== ''), stderr: out.stderr, stdout: out.stdout };
  }

  const complete = (appId: string): string[] => [
    `az ad app show --id ${appId} --query id -o tsv`,
    'az cloud show --query endpoints.microsoftGraphResourceId -o tsv',
    `az ad app update --id ${appId} --app-roles @${AUTH}/app-roles.json --identifier-uris api://${appId}`,
    `az rest --method PATCH --uri https://graph.microsoft.com/v1.0/applications/app-object-1 --headers Content-Type=application/json --body @${AUTH}/api-scopes.json`,
    `az rest --method PATCH --uri https://graph.microsoft.com/v1.0/applications/app-object-1 --headers Content-Type=application/json --body @${AUTH}/api.json`,
  ];

  it('without AUTH_APP_ID: creates the registration, completes it (roles, api://<id>, scopes, service principal with assignment required), then sets AUTH_APP_ID', () => {
    const r = run({});
    expect(r.status).toBe(0);
    expect(r.calls).toEqual([
      "az ad app list --filter displayName eq 'AML Registry Lockdown API (dev)' --query [0].appId -o tsv",
      'az ad app create --display-name AML Registry Lockdown API (dev) --sign-in-audience AzureADMyOrg --query appId -o tsv',
      ...complete(NEW_APP),
      `az ad sp list --filter appId eq '${NEW_APP}' --query [0].id -o tsv`,
      `az ad sp create --id ${NEW_APP} --query id -o tsv`,
      `az ad sp update --id ${NEW_APP} --set appRoleAssignmentRequired=true`,
      `azd env set AUTH_APP_ID ${NEW_APP}`,
    ]);
  });

  it('a registration of that name from a run that stopped half-way is completed, not made twice', () => {
    const r = run({ STUB_EXISTING_APP: NEW_APP, STUB_EXISTING_SP: '1' });
    expect(r.status).toBe(0);
    expect(r.calls.filter((c) => / create /.test(c))).toEqual([]);
    expect(r.calls).toEqual(expect.arrayContaining([...complete(NEW_APP), `az ad sp update --id ${NEW_APP} --set appRoleAssignmentRequired=true`]));
    expect(r.calls.at(-1)).toBe(`azd env set AUTH_APP_ID ${NEW_APP}`);
  });

  it('with AUTH_APP_ID: checks it exists and changes nothing', () => {
    const r = run({ AUTH_APP_ID });
    expect(r.status).toBe(0);
    expect(r.calls).toEqual([`az ad app show --id ${AUTH_APP_ID} --query appId -o tsv`]);
    expect(r.stdout).toContain(`api://${AUTH_APP_ID}`);
  });

  it('a failing step stops the hook before AUTH_APP_ID is set (azd then stops before provisioning)', () => {
    const r = run({ STUB_FAIL: 'rest --method PATCH' });
    expect(r.status).not.toBe(0);
    expect(r.calls.some((c) => c.startsWith('azd '))).toBe(false);
    const missing = run({ AUTH_APP_ID, STUB_FAIL: 'ad app show' });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/AUTH_APP_ID=.* is not an app registration of this tenant/);
  });

  it('azure.yaml runs it before provisioning (sh, and pwsh on Windows), and the PowerShell twin makes the same az calls with the same files', () => {
    const yaml = read('azure.yaml');
    expect(yaml).toMatch(/preprovision:\s*\n\s+posix:\s*\n\s+shell: sh\s*\n\s+run: \.\/infra\/scripts\/preprovision\.sh[\s\S]*?windows:\s*\n\s+shell: pwsh\s*\n\s+run: \.\/infra\/scripts\/preprovision\.ps1/);
    const verbs = (text: string): string[] => [...new Set([...stripComments(text).matchAll(/\baz (ad app \w+|ad sp \w+|cloud show|rest)\b/g)].map((m) => m[1] ?? ''))].sort();
    const sh = read('infra/scripts/preprovision.sh');
    const ps1 = read('infra/scripts/preprovision.ps1').replace(/Invoke-Az /g, 'az ');
    expect(verbs(ps1)).toEqual(verbs(sh));
    expect(verbs(sh)).toEqual(['ad app create', 'ad app list', 'ad app show', 'ad app update', 'ad sp create', 'ad sp list', 'ad sp update', 'cloud show', 'rest']);
    for (const file of ['app-roles.json', 'api-scopes.json', 'api.json']) expect(ps1).toContain(`'${file}'`);
    expect(ps1).toContain('azd env set AUTH_APP_ID $appId');
    expect(ps1).toContain('appRoleAssignmentRequired=true');
  });
});

describe('the app is told which registration the platform validates for', () => {
  it('the site\'s app settings carry AUTH_APP_ID = the registration\'s client id, a value the app\'s settings loader accepts', () => {
    const given = moduleParams('functionApp', {});
    const ctx = moduleContext(FA, given);
    const authSettings = evaluate('authSettings', ctx) as Record<string, string>;
    expect(authSettings).toEqual({ AUTH_APP_ID });
    expect(((siteConfig('auth').properties as Record<string, Record<string, Record<string, Value>>>).identityProviders?.azureActiveDirectory?.registration as Record<string, Value>).clientId).toBe(authSettings.AUTH_APP_ID);
    expect(() => loadConfig({ ...(given.appSettings as Record<string, string>), ...authSettings })).not.toThrow();
    // the platform's own setting is never written by the Bicep
    expect(stripComments(read('infra/app/function-app.bicep'))).not.toContain('WEBSITE_AUTH_ENABLED:');
  });
});
