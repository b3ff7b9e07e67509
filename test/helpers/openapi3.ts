/**
 * A structural check of an OpenAPI 3.0 document: the rules of the 3.0.3 specification that this
 * API's document can break, as a JSON Schema for ajv (Schema Objects are checked against the
 * OpenAPI 3.0 subset of JSON Schema: no `const`, no type arrays, boolean exclusiveMinimum…),
 * plus the cross-references ajv cannot express (path template ↔ path parameters, unique
 * operationIds, known security schemes).
 */
import Ajv from 'ajv';

const ext = { '^x-': {} };

const schemaObject = {
  type: 'object',
  properties: {
    title: { type: 'string' }, description: { type: 'string' }, format: { type: 'string' },
    multipleOf: { type: 'number', exclusiveMinimum: 0 }, maximum: { type: 'number' }, minimum: { type: 'number' },
    exclusiveMaximum: { type: 'boolean' }, exclusiveMinimum: { type: 'boolean' },
    maxLength: { type: 'integer', minimum: 0 }, minLength: { type: 'integer', minimum: 0 }, pattern: { type: 'string' },
    maxItems: { type: 'integer', minimum: 0 }, minItems: { type: 'integer', minimum: 0 }, uniqueItems: { type: 'boolean' },
    maxProperties: { type: 'integer', minimum: 0 }, minProperties: { type: 'integer', minimum: 0 },
    required: { type: 'array', items: { type: 'string' }, minItems: 1, uniqueItems: true },
    enum: { type: 'array', minItems: 1 },
    type: { enum: ['array', 'boolean', 'integer', 'number', 'object', 'string'] },
    not: { $ref: '#/definitions/schemaOrRef' },
    allOf: { type: 'array', items: { $ref: '#/definitions/schemaOrRef' } },
    oneOf: { type: 'array', items: { $ref: '#/definitions/schemaOrRef' } },
    anyOf: { type: 'array', items: { $ref: '#/definitions/schemaOrRef' } },
    items: { $ref: '#/definitions/schemaOrRef' },
    properties: { type: 'object', additionalProperties: { $ref: '#/definitions/schemaOrRef' } },
    additionalProperties: { anyOf: [{ $ref: '#/definitions/schemaOrRef' }, { type: 'boolean' }] },
    default: {}, nullable: { type: 'boolean' }, readOnly: { type: 'boolean' }, writeOnly: { type: 'boolean' },
    example: {}, deprecated: { type: 'boolean' },
  },
  patternProperties: ext,
  additionalProperties: false,
};

const media = { type: 'object', properties: { schema: { $ref: '#/definitions/schemaOrRef' }, example: {}, examples: { type: 'object' } }, patternProperties: ext, additionalProperties: false };

const parameter = {
  type: 'object',
  required: ['name', 'in', 'schema'],
  properties: {
    name: { type: 'string', minLength: 1 },
    in: { enum: ['path', 'query', 'header', 'cookie'] },
    description: { type: 'string' }, required: { type: 'boolean' }, deprecated: { type: 'boolean' }, allowEmptyValue: { type: 'boolean' },
    style: { type: 'string' }, explode: { type: 'boolean' },
    schema: { $ref: '#/definitions/schemaOrRef' },
  },
  patternProperties: ext,
  additionalProperties: false,
  if: { properties: { in: { const: 'path' } } },
  then: { required: ['required'], properties: { required: { const: true } } },
};

const response = {
  type: 'object',
  required: ['description'],
  properties: {
    description: { type: 'string' },
    headers: { type: 'object', additionalProperties: { type: 'object', properties: { description: { type: 'string' }, schema: { $ref: '#/definitions/schemaOrRef' } }, additionalProperties: false } },
    content: { type: 'object', additionalProperties: media },
  },
  patternProperties: ext,
  additionalProperties: false,
};

const operation = {
  type: 'object',
  required: ['responses'],
  properties: {
    tags: { type: 'array', items: { type: 'string' } }, summary: { type: 'string' }, description: { type: 'string' },
    operationId: { type: 'string' },
    parameters: { type: 'array', items: parameter },
    requestBody: { type: 'object', required: ['content'], properties: { description: { type: 'string' }, content: { type: 'object', additionalProperties: media, minProperties: 1 }, required: { type: 'boolean' } }, additionalProperties: false },
    responses: { type: 'object', minProperties: 1, patternProperties: { '^([1-5][0-9][0-9]|[1-5]XX|default)$': response }, additionalProperties: false },
    deprecated: { type: 'boolean' },
    security: { type: 'array', items: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } } },
    servers: { type: 'array' },
  },
  patternProperties: ext,
  additionalProperties: false,
};

const OPENAPI_30 = {
  type: 'object',
  required: ['openapi', 'info', 'paths'],
  properties: {
    openapi: { type: 'string', pattern: '^3\\.0\\.\\d+$' },
    info: { type: 'object', required: ['title', 'version'], properties: { title: { type: 'string' }, version: { type: 'string' }, description: { type: 'string' } }, patternProperties: ext, additionalProperties: false },
    servers: { type: 'array', items: { type: 'object', required: ['url'], properties: { url: { type: 'string' }, description: { type: 'string' } }, additionalProperties: false } },
    paths: {
      type: 'object',
      patternProperties: {
        '^/': {
          type: 'object',
          properties: Object.fromEntries(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'].map((m) => [m, operation])),
          patternProperties: ext,
          additionalProperties: false,
        },
        ...ext,
      },
      additionalProperties: false,
    },
    components: {
      type: 'object',
      properties: {
        schemas: { type: 'object', additionalProperties: { $ref: '#/definitions/schemaOrRef' } },
        securitySchemes: {
          type: 'object',
          additionalProperties: {
            type: 'object', required: ['type'],
            properties: { type: { enum: ['apiKey', 'http', 'oauth2', 'openIdConnect'] }, in: { enum: ['query', 'header', 'cookie'] }, name: { type: 'string' }, description: { type: 'string' }, scheme: { type: 'string' } },
            if: { properties: { type: { const: 'apiKey' } } }, then: { required: ['in', 'name'] },
          },
        },
      },
      patternProperties: ext,
      additionalProperties: false,
    },
    security: { type: 'array', items: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } } },
    tags: { type: 'array' },
  },
  patternProperties: ext,
  additionalProperties: false,
  definitions: {
    schemaOrRef: { if: { type: 'object', required: ['$ref'] }, then: { type: 'object', properties: { $ref: { type: 'string' } }, required: ['$ref'] }, else: { $ref: '#/definitions/schema' } },
    schema: schemaObject,
  },
};

interface Op { operationId?: string; parameters?: Array<{ name: string; in: string }>; security?: Array<Record<string, string[]>> }

/** Every problem of the document (empty: it is a valid OpenAPI 3.0 document as far as checked). */
export function openApi30Problems(doc: unknown): string[] {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile(OPENAPI_30);
  const problems: string[] = [];
  if (!validate(doc)) problems.push(...(validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`));
  if (typeof doc !== 'object' || doc === null) return problems;
  const d = doc as { paths?: Record<string, Record<string, Op>>; components?: { securitySchemes?: Record<string, unknown> }; security?: Array<Record<string, string[]>> };
  const schemes = new Set(Object.keys(d.components?.securitySchemes ?? {}));
  const ids = new Set<string>();
  const checkSecurity = (where: string, sec: Array<Record<string, string[]>> | undefined) => {
    for (const req of sec ?? []) for (const name of Object.keys(req)) if (!schemes.has(name)) problems.push(`${where}: unknown security scheme ${name}`);
  };
  checkSecurity('security', d.security);
  for (const [path, item] of Object.entries(d.paths ?? {})) {
    const templ = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
    for (const [method, op] of Object.entries(item)) {
      if (method.startsWith('x-')) continue;
      const where = `${method.toUpperCase()} ${path}`;
      const pathParams = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name).sort();
      if (JSON.stringify(pathParams) !== JSON.stringify(templ)) problems.push(`${where}: path parameters ${pathParams.join(',')} do not match the template's ${templ.join(',')}`);
      const seen = new Set<string>();
      for (const p of op.parameters ?? []) {
        const k = `${p.in}:${p.name}`;
        if (seen.has(k)) problems.push(`${where}: duplicate parameter ${k}`);
        seen.add(k);
      }
      if (op.operationId !== undefined) {
        if (ids.has(op.operationId)) problems.push(`${where}: duplicate operationId ${op.operationId}`);
        ids.add(op.operationId);
      }
      checkSecurity(where, op.security);
    }
  }
  return problems;
}
