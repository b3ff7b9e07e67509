import { z } from 'zod';
import { ErrorCodes, LockdownError } from '../shared/errors';
import { SETTINGS, type SettingName } from './settings';
import { functionTimeoutProblems, type TimeoutSettings } from './timeouts';

type Settings = typeof SETTINGS;
export type Config = Readonly<{ [K in SettingName]: z.output<Settings[K]['schema']> }>;

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/**
 * Validates every setting from an environment map and returns a frozen, typed config.
 * Fails with CONFIG.INVALID naming each missing or malformed setting and what is expected.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const spec of Object.values(SETTINGS)) {
    const raw = env[spec.name];
    const value = raw === undefined || raw.trim() === '' ? undefined : raw.trim();
    if (value === undefined && spec.required) {
      problems.push(`${spec.name} is required: ${spec.meaning} Example: ${spec.example}`);
      continue;
    }
    const parsed = (spec.schema as z.ZodType).safeParse(value);
    if (!parsed.success) {
      const why = parsed.error.issues.map((i) => i.message).join('; ');
      problems.push(`${spec.name} is malformed (${why}). Example: ${spec.example}`);
      continue;
    }
    out[spec.name] = parsed.data;
  }
  if (problems.length === 0) problems.push(...functionTimeoutProblems(out as unknown as TimeoutSettings));
  if (problems.length > 0) {
    throw new LockdownError(ErrorCodes.CONFIG_INVALID, `Invalid settings:\n- ${problems.join('\n- ')}`);
  }
  return deepFreeze(out) as Config;
}

let cached: Config | undefined;

/** The app's settings, read from the process environment once, on first use. */
export function getConfig(): Config {
  cached ??= loadConfig(process.env);
  return cached;
}
