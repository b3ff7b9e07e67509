import { ROLE_ORDER } from '../../../src/shared/caller';
import { API_APP_ID, API_ROLES, appServiceAuthOf } from '../../../local/world';
import type { AzureSim } from '../../../local/azure-sim/server';
import type { Value } from './bicep-eval';
import { read } from './bicep-text';
import { AUTH_APP_ID, instancesOf, moduleContext, moduleParams, template } from './deployment';

/**
 * Locally, the same path: the local host's App Service Authentication is configured as the Bicep
 * configures the site's (authsettingsV2), and the app roles the app checks are the ones the app
 * registration declares.
 */
const FA = template('infra/app/function-app.bicep');
const [auth] = instancesOf(FA, 'auth', moduleContext(FA, moduleParams('functionApp', {})), ['properties']);
const props = auth?.properties as Record<string, Record<string, Value>>;
const aad = props.identityProviders?.azureActiveDirectory as Record<string, Record<string, Value>>;
const local = appServiceAuthOf({ authorityHost: 'https://127.0.0.1:1/login', tenantId: '00000000-0000-0000-0000-0000000000f1' } as AzureSim, 'ca');

describe('the sandbox\'s App Service Authentication is the Bicep\'s', () => {
  it('the same global validation: a token required, 401 without one, the Event Grid webhook excluded', () => {
    expect({ requireAuthentication: local.requireAuthentication, unauthenticatedClientAction: local.unauthenticatedClientAction, excludedPaths: local.excludedPaths }).toEqual(props.globalValidation);
  });

  it('the same audiences and the v2 issuer of the tenant, for the registration AUTH_APP_ID names', () => {
    const swap = (v: string) => v.replace(AUTH_APP_ID, API_APP_ID);
    expect(local.allowedAudiences).toEqual((aad.validation?.allowedAudiences as string[]).map(swap));
    expect(local.clientId).toBe(API_APP_ID);
    expect(String(aad.registration?.openIdIssuer)).toMatch(/\/v2\.0$/);
    expect(local.openIdIssuer).toBe('https://127.0.0.1:1/login/00000000-0000-0000-0000-0000000000f1/v2.0');
  });
});

describe('the app roles the app checks are the registration\'s', () => {
  const roles = (JSON.parse(read('infra/auth/app-roles.json')) as Array<{ value: string }>).map((r) => r.value);

  it('src/shared/caller.ts, infra/auth/app-roles.json and the sandbox name the same three, lowest first', () => {
    expect([...ROLE_ORDER]).toEqual(roles);
    expect(Object.values(API_ROLES)).toEqual(roles);
  });
});
