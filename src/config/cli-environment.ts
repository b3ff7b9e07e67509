import { readFileSync } from 'node:fs';
import { ErrorCodes, LockdownError } from '../shared/errors';

/**
 * The operator CLI's settings source. The CLI reads the same settings as the app (through
 * `loadConfig`), from the process environment over the `Values` of an optional
 * local.settings.json-style file (`--settings <file>`). The environment wins, as with dotenv:
 * an operator can override one value of a shared file for one call.
 *
 * `status` reads the deployed app's HTTP API with a Microsoft Entra ID token for the app's
 * registration, named by the app's own setting AUTH_APP_ID (or --app-id).
 */
export const CLI_API_APP_ID_SETTING = 'AUTH_APP_ID';

export type EnvironmentMap = Readonly<Record<string, string | undefined>>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The `Values` of a local.settings.json-style file, as strings; CONFIG.INVALID naming the problem otherwise. */
export function readSettingsFileValues(path: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new LockdownError(ErrorCodes.CONFIG_INVALID, `cannot read the settings file '${path}': ${(e as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new LockdownError(ErrorCodes.CONFIG_INVALID, `the settings file '${path}' is not JSON: ${(e as Error).message}`);
  }
  const values = isRecord(parsed) ? parsed.Values : undefined;
  if (!isRecord(values)) throw new LockdownError(ErrorCodes.CONFIG_INVALID, `the settings file '${path}' has no "Values" object (expected the local.settings.json shape).`);
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) {
    if (typeof value === 'string') out[name] = value;
    else if (typeof value === 'number' || typeof value === 'boolean') out[name] = String(value);
    else throw new LockdownError(ErrorCodes.CONFIG_INVALID, `the settings file '${path}': Values.${name} must be a string.`);
  }
  return out;
}

/** The environment map the CLI hands to `loadConfig`: the file's Values, overridden by the process environment. */
export function cliEnvironment(fileValues: Readonly<Record<string, string>> = {}): EnvironmentMap {
  const env: Record<string, string | undefined> = { ...fileValues };
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined) env[name] = value;
  return Object.freeze(env);
}
