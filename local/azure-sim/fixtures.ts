import { readFileSync } from 'node:fs';
import type { ArmResource, ResourceStore } from './store';

/** ARM ids look like /subscriptions/{s}[/resourceGroups/{rg}[/providers/…]], or tenant-level management groups. */
function isArmId(id: unknown): id is string {
  if (typeof id === 'string' && /^\/providers\/Microsoft\.Management\/managementGroups\/[^/]+(\/subscriptions\/[^/]+)?$/i.test(id)) return true;
  return typeof id === 'string' && /^\/subscriptions\/[^/]+(\/resourceGroups\/[^/]+(\/providers\/[^/]+(\/[^/]+\/[^/]+)+)?)?$/i.test(id);
}

function isResource(v: unknown): v is ArmResource {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return isArmId(r.id) && typeof r.name === 'string' && typeof r.type === 'string';
}

/**
 * Accepts: one ARM resource; an array of them; `{ value: [...] }` (a list answer); or an official
 * swagger example (`{ parameters, responses: { "200": { body } } }`, the 200/201 body is taken).
 */
export function fixtureResources(json: unknown): { resources: ArmResource[]; rejected: string[] } {
  const resources: ArmResource[] = [];
  const rejected: string[] = [];
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) {
      v.forEach(visit);
      return;
    }
    if (typeof v !== 'object' || v === null) return;
    const r = v as Record<string, unknown>;
    if (typeof r.responses === 'object' && r.responses !== null) {
      const responses = r.responses as Record<string, { body?: unknown }>;
      visit(responses['200']?.body ?? responses['201']?.body);
      return;
    }
    if (Array.isArray(r.value) && r.id === undefined) {
      visit(r.value);
      return;
    }
    if (isResource(r)) resources.push(structuredClone(r));
    else rejected.push(typeof r.id === 'string' ? r.id : JSON.stringify(r).slice(0, 80));
  };
  visit(json);
  return { resources, rejected };
}

/**
 * Loads ARM-shape resources into the store, creating missing resource groups. Resources with ids
 * that are not ARM ids (e.g. the `"string"` placeholders of some spec examples) are reported.
 */
export function loadResources(store: ResourceStore, resources: ArmResource[]): ArmResource[] {
  for (const r of resources) {
    const m = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)/i.exec(r.id);
    if (m && m[1] && m[2] && r.type.toLowerCase() !== 'microsoft.resources/resourcegroups') {
      const rgId = `/subscriptions/${m[1]}/resourceGroups/${m[2]}`;
      if (!store.get(rgId)) {
        store.put({ id: rgId, name: m[2], type: 'Microsoft.Resources/resourceGroups', location: r.location && r.location !== 'global' ? r.location : 'eastus', tags: {}, properties: { provisioningState: 'Succeeded' } });
      }
    }
    store.put(r);
  }
  return resources;
}

export function loadFixtures(store: ResourceStore, files: string[]): { loaded: ArmResource[]; rejected: string[] } {
  const loaded: ArmResource[] = [];
  const rejected: string[] = [];
  for (const file of files) {
    const { resources, rejected: bad } = fixtureResources(JSON.parse(readFileSync(file, 'utf8')) as unknown);
    loaded.push(...loadResources(store, resources));
    rejected.push(...bad.map((b) => `${file}: ${b}`));
  }
  return { loaded, rejected };
}
