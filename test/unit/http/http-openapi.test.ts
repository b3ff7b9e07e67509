import { openApiDocument, openApiPath, templateParams } from '../../../src/http/openapi-document';
import { ALL_ROUTES, Routes } from '../../../src/http/routes';
import { openApi30Problems } from '../../helpers/openapi3';

const doc = openApiDocument(ALL_ROUTES, { cloud: 'AzurePublicCloud' }, 'https://app.example');

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.0 document', () => {
    expect(openApi30Problems(doc)).toEqual([]);
    expect(doc.openapi).toBe('3.0.3');
  });

  it('the checker catches broken documents', () => {
    const broken = JSON.parse(JSON.stringify(doc)) as Record<string, unknown> & { paths: Record<string, Record<string, { parameters: unknown[]; responses: Record<string, unknown> }>> };
    const op = broken.paths['/api/discovery/{region}/{registryName}']!.get!;
    op.parameters = op.parameters.slice(1);
    op.responses['200'] = { content: {} };
    broken.openapi = '3.1.0';
    const problems = openApi30Problems(broken);
    expect(problems.some((p) => p.includes('path parameters'))).toBe(true);
    expect(problems.some((p) => p.includes('/openapi'))).toBe(true);
    expect(problems.some((p) => p.includes("must have required property 'description'"))).toBe(true);
    expect(openApi30Problems({ openapi: '3.0.3', info: { title: 't', version: '1' }, paths: { '/a': { get: { responses: { 200: { description: 'x', content: { 'application/json': { schema: { type: ['string', 'null'] } } } } } } } } })).not.toEqual([]);
  });

  it('has one operation per route, with its path parameters in template order, each naming its app role (bearer token, no function key)', () => {
    const ops = Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([m, op]) => ({ path, method: m.toUpperCase(), op })));
    expect(ops).toHaveLength(ALL_ROUTES.length);
    for (const route of ALL_ROUTES) {
      const found = ops.find((o) => o.path === openApiPath(route.route) && o.method === route.method);
      expect(found?.op.operationId).toBe(route.name);
      expect(found?.op.parameters.filter((p) => p.in === 'path').map((p) => p.name)).toEqual(templateParams(route.route));
      expect(found?.op['x-required-role']).toBe(route.auth.role);
      expect(found?.op.description).toContain(route.auth.role);
      for (const status of ['401', '403', '503']) expect([route.name, status, found?.op.responses[status]]).toEqual([route.name, status, expect.anything()]);
    }
    expect(doc.security).toEqual([{ entraId: [] }]);
    expect(doc.components.securitySchemes.entraId).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(JSON.stringify(doc)).not.toContain('x-functions-key');
  });

  it('shows the options that need a higher role', () => {
    const start = doc.paths['/api/registries/{subscriptionId}/{resourceGroup}/{registryName}/harden']?.post;
    expect(start?.['x-required-role']).toBe('Lockdown.Reader');
    expect(start?.['x-elevated-options']).toEqual([{ option: 'mode=apply (the default)', role: 'Lockdown.Operator' }, { option: 'lockdownAcr: false', role: 'Lockdown.NetworkAdmin' }]);
    expect(start?.description).toContain('Lockdown.NetworkAdmin with lockdownAcr: false');
    expect(doc.paths['/api/workspaces/{subscriptionId}/{resourceGroup}/{workspaceName}/share-with']?.post?.['x-required-role']).toBe('Lockdown.NetworkAdmin');
  });

  it('is generated from the handlers\' schemas: region enum of the cloud, registry name pattern, strict body, bounded top', () => {
    const disc = doc.paths['/api/discovery/{region}/{registryName}']?.get;
    const region = disc?.parameters.find((p) => p.name === 'region');
    expect(region?.schema.enum).toContain('westeurope');
    expect(region?.schema.enum).not.toContain('usgovvirginia');
    const gov = openApiDocument(ALL_ROUTES, { cloud: 'AzureUSGovernment' });
    expect(gov.paths['/api/discovery/{region}/{registryName}']?.get?.parameters.find((p) => p.name === 'region')?.schema.enum).toContain('usgovvirginia');
    expect(disc?.parameters.find((p) => p.name === 'registryName')?.schema.pattern).toBe('^[a-zA-Z0-9][a-zA-Z0-9\\-_]{2,32}$');
    const start = doc.paths['/api/registries/{subscriptionId}/{resourceGroup}/{registryName}/harden']?.post;
    expect(start?.requestBody?.content['application/json'].schema).toMatchObject({ type: 'object', additionalProperties: false });
    expect(start?.parameters.find((p) => p.name === 'mode')).toMatchObject({ in: 'query', required: false, schema: { enum: ['apply', 'plan'] } });
    expect(Object.keys(start?.responses ?? {})).toEqual(expect.arrayContaining(['202', '400', '401', '409', '413', '415']));
    const runs = doc.paths['/api/runs']?.get;
    expect(runs?.parameters.find((p) => p.name === 'top')?.schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 100 });
  });

  it('route templates and params schemas name the same parameters', () => {
    for (const route of ALL_ROUTES) {
      const names = Object.keys(route.params({ cloud: 'AzurePublicCloud' }).shape).sort();
      expect(names).toEqual(templateParams(route.route).sort());
    }
    expect(Routes.getOpenApi.auth.role).toBe('Lockdown.Reader');
  });
});
