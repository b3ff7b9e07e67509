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
 * The settings only hardening reads (where the private endpoints go and which zones they join):
 * the CLI's other commands (discovery, egress-check, exfiltration, the fleet reports, the
 * workspace commands) run without them.
 */
export const HARDENING_SETTINGS = ['PRIVATE_ENDPOINT_SUBNET_ID', 'PRIVATE_ENDPOINT_RESOURCE_GROUP', 'PRIVATE_DNS_ZONE_ID_API_AZUREML', 'PRIVATE_DNS_ZONE_ID_BLOB', 'PRIVATE_DNS_ZONE_ID_ACR'] as const satisfies readonly SettingName[];
export type HardeningSettingName = (typeof HARDENING_SETTINGS)[number];
/** Every setting but the hardening ones: what the adapters and the non-hardening commands read. */
export type BaseConfig = Omit<Config, HardeningSettingName>;

/**
 * Validates every setting from an environment map and returns a frozen, typed config.
 * Fails with CONFIG.INVALID naming each missing or malformed setting and what is expected.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  return load(env, Object.values(SETTINGS)) as Config;
}

/**
 * The settings of a command that does not harden: as loadConfig, without the hardening ones
 * (neither required nor read), so that e.g. `discovery` does not ask for an endpoint subnet.
 */
export function loadBaseConfig(env: Readonly<Record<string, string | undefined>>): BaseConfig {
  const skip: readonly string[] = HARDENING_SETTINGS;
  return load(env, Object.values(SETTINGS).filter((spec) => !skip.includes(spec.name))) as BaseConfig;
}

function load(env: Readonly<Record<string, string | undefined>>, specs: ReadonlyArray<(typeof SETTINGS)[SettingName]>): unknown {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const spec of specs) {
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
  return deepFreeze(out);
}

let cached: Config | undefined;

/** The app's settings, read from the process environment once, on first use. */
export function getConfig(): Config {
  cached ??= loadConfig(process.env);
  return cached;
}
