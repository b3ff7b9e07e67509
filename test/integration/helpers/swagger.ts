import Ajv2019 from 'ajv/dist/2019';
import type { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const SPEC_ROOT = '/work/shared/reference/azure-rest/specs/specification';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function walkFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walkFiles(p) : p.endsWith('.json') ? [p] : [];
  });
}

/**
 * Swagger 2.0 → what ajv understands: `x-nullable: true` allows null; swagger's boolean
 * `required` on parameters is dropped (it is not JSON Schema); `allOf` + `additionalProperties: false`
 * becomes `unevaluatedProperties: false` (AutoRest reads allOf as inheritance); Azure's own formats
 * are accepted.
 */
function adapt(node: Json): Json {
  if (Array.isArray(node)) return node.map(adapt);
  if (node === null || typeof node !== 'object') return node;
  const out: { [k: string]: Json } = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'required' && typeof v === 'boolean') continue;
    if (k === 'discriminator' && typeof v === 'string') continue;
    out[k] = adapt(v);
  }
  // swagger's allOf is inheritance: the parent's properties are allowed next to additionalProperties false
  if (out.additionalProperties === false && Array.isArray(out.allOf)) {
    delete out.additionalProperties;
    out.unevaluatedProperties = false;
  }
  if (out['x-nullable'] === true) {
    if (typeof out.$ref === 'string') {
      const ref = out.$ref;
      delete out.$ref;
      out.anyOf = [{ $ref: ref }, { type: 'null' }];
    } else if (typeof out.type === 'string') {
      out.type = [out.type, 'null'];
      if (Array.isArray(out.enum)) out.enum = [...out.enum, null];
    }
  }
  return out;
}

export class SwaggerValidator {
  private readonly ajv: Ajv2019;
  private readonly docs = new Map<string, Json>();

  constructor(root = SPEC_ROOT) {
    this.ajv = new Ajv2019({ strict: false, validateSchema: false, allErrors: true, validateFormats: true });
    addFormats(this.ajv);
    for (const f of ['int32', 'int64', 'float', 'double', 'byte', 'binary', 'password', 'unixtime', 'arm-id', 'decimal', 'duration-constant', 'base64url']) {
      this.ajv.addFormat(f, true);
    }
    this.ajv.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
    for (const file of walkFiles(root)) {
      const url = pathToFileURL(file).href;
      const doc = adapt(JSON.parse(readFileSync(file, 'utf8')) as Json);
      this.docs.set(url, doc);
      this.ajv.addSchema(doc as object, url);
    }
  }

  /** Validator for an operation's response body, found by path template + method + status in a spec file. */
  response(specFile: string, pathTemplate: string, method: string, status: string): ValidateFunction {
    const url = pathToFileURL(join(SPEC_ROOT, specFile)).href;
    const doc = this.docs.get(url) as { paths?: Record<string, Record<string, { responses?: Record<string, { schema?: { $ref?: string } }> }>> } | undefined;
    const ref = doc?.paths?.[pathTemplate]?.[method]?.responses?.[status]?.schema?.$ref;
    if (!ref) throw new Error(`no ${method} ${status} response schema for ${pathTemplate} in ${specFile}`);
    return this.ajv.compile({ $ref: new URL(ref, url).href });
  }

  /** Validator for a named definition of a spec file. */
  definition(specFile: string, name: string): ValidateFunction {
    const url = pathToFileURL(join(SPEC_ROOT, specFile)).href;
    return this.ajv.compile({ $ref: `${url}#/definitions/${name}` });
  }
}

export function errorsOf(v: ValidateFunction): string {
  return (v.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''} ${JSON.stringify(e.params)}`).join('\n');
}
