/** Host keys: from options, or `<stateDir>/keys.json` (created with random keys when missing). */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { HostKeys } from './types';
import { isRecord } from './types';

export const EVENTGRID_SYSTEM_KEY = 'eventgrid_extension';
export const DURABLETASK_SYSTEM_KEY = 'durabletask_extension';

function newKey(): string {
  return randomBytes(30).toString('base64url');
}

function stringRecord(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isRecord(value)) for (const [k, v] of Object.entries(value)) if (typeof v === 'string' && v !== '') out[k] = v;
  return out;
}

export function keysFilePath(stateDir: string): string {
  return path.join(stateDir, 'keys.json');
}

/** Completes keys with the system keys the host needs; fills a missing master key. */
export function normalizeKeys(keys: Partial<HostKeys>): Required<HostKeys> {
  const systemKeys = { ...(keys.systemKeys ?? {}) };
  systemKeys[EVENTGRID_SYSTEM_KEY] ??= newKey();
  systemKeys[DURABLETASK_SYSTEM_KEY] ??= newKey();
  const functionKeys = { ...(keys.functionKeys ?? {}) };
  if (Object.keys(functionKeys).length === 0) functionKeys.default = newKey();
  return { masterKey: keys.masterKey && keys.masterKey !== '' ? keys.masterKey : newKey(), functionKeys, systemKeys };
}

export function loadOrCreateKeys(stateDir: string): Required<HostKeys> {
  const file = keysFilePath(stateDir);
  let existing: Partial<HostKeys> = {};
  if (fs.existsSync(file)) {
    const raw: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (isRecord(raw)) {
      existing = {
        masterKey: typeof raw.masterKey === 'string' ? raw.masterKey : undefined,
        functionKeys: stringRecord(raw.functionKeys),
        systemKeys: stringRecord(raw.systemKeys),
      } as Partial<HostKeys>;
    }
  }
  const keys = normalizeKeys(existing);
  const serialized = JSON.stringify(keys, null, 2) + '\n';
  if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== serialized) {
    fs.mkdirSync(stateDir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, serialized, { mode: 0o600 });
    fs.renameSync(tmp, file);
  }
  return keys;
}

export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

export function matchesAny(candidate: string | undefined, values: Iterable<string>): boolean {
  if (!candidate) return false;
  for (const v of values) if (safeEqual(candidate, v)) return true;
  return false;
}

export type AuthLevel = 'anonymous' | 'function' | 'admin' | 'system';

export function isAuthorized(keys: Required<HostKeys>, level: AuthLevel, presented: string | undefined, systemKeyName?: string): boolean {
  switch (level) {
    case 'anonymous':
      return true;
    case 'function':
      return matchesAny(presented, [...Object.values(keys.functionKeys), keys.masterKey]);
    case 'admin':
      return matchesAny(presented, [keys.masterKey]);
    case 'system': {
      const sys = systemKeyName ? keys.systemKeys[systemKeyName] : undefined;
      return matchesAny(presented, sys ? [sys, keys.masterKey] : [keys.masterKey]);
    }
  }
}
