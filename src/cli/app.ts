import type { ActivityDeps } from '../main';
import { createPorts } from '../main';
import { loadBaseConfig, loadConfig, type BaseConfig, type Config } from '../config';
import type { TokenCredential } from '@azure/core-auth';
import { CLI_API_APP_ID_SETTING, CLI_API_URL_SETTING, cliEnvironment, readSettingsFileValues, settingsIntoProcessEnv, type EnvironmentMap } from '../config/cli-environment';
import { createCredential } from '../azure/client-factory';
import { isGuid } from '../shared/arm-id';
import { errorCodeOf, ErrorCodes, withoutCode } from '../shared/errors';
import { isKnownRegion } from '../shared/regions';
import { functionsBaseUrl, parseCommandLine, UsageError, USAGE, type Command } from './args';
import type { Output } from './render';
import { discoveryCommand, hardeningCommand, statusCommand } from '../hardening/cli';
import { isWorkspaceCommand, runWorkspaceCommand } from '../workspaces/cli';
import { runNetworkCommand } from '../network/cli';
import { runFleetCommand } from '../fleet/cli';
import { sweepCommand } from '../sweep/cli';
import { runReportCommand } from '../report';

/** 0 done / compliant, 1 failed (DNS not proven included), 2 bad usage or settings. */
export type ExitCode = 0 | 1 | 2;

export interface CliIo {
  stdout: Output;
  stderr: Output;
  /** the settings source; default: the process environment over the --settings file */
  environment?: (settingsFile: string | undefined) => EnvironmentMap;
  sleep?: (ms: number) => Promise<void>;
  now?: () => Date;
  /** the credential `status` asks for the API's token; default: the standard Azure chain (DefaultAzureCredential) */
  credential?: () => TokenCredential;
}

/**
 * The environment over the --settings file's Values. The file's Values also become variables of
 * this process where none is set (as the Functions tools do with local.settings.json), so that
 * the Azure credential chain, which reads the process environment, can be set up by it too.
 */
function defaultEnvironment(settingsFile: string | undefined): EnvironmentMap {
  if (settingsFile === undefined) return cliEnvironment();
  const values = readSettingsFileValues(settingsFile);
  settingsIntoProcessEnv(values);
  return cliEnvironment(values);
}

function usage(io: CliIo, message: string): 2 {
  io.stderr.write(`aml-lockdown: ${message}\nRun 'aml-lockdown --help' for usage.\n`);
  return 2;
}

/** The settings a command reads, or the usage message naming what is missing or malformed. */
function settingsOf<T>(load: (env: EnvironmentMap) => T, environment: () => EnvironmentMap): { ok: true; value: T } | { ok: false; message: string } {
  try {
    return { ok: true, value: load(environment()) };
  } catch (e) {
    if (errorCodeOf(e) === ErrorCodes.CONFIG_INVALID) return { ok: false, message: withoutCode(e) };
    throw e;
  }
}

/** status / report: the API base (--api or LOCKDOWN_API_URL) and the app registration (--app-id or AUTH_APP_ID). */
function apiOf(command: Extract<Command, { command: 'status' | 'report' }>, env: EnvironmentMap): { ok: true; api: string; appId: string } | { ok: false; message: string } {
  const name = command.command;
  let api = command.api;
  if (api === undefined) {
    const fromEnv = env[CLI_API_URL_SETTING]?.trim();
    if (fromEnv === undefined || fromEnv === '') return { ok: false, message: `'${name}' reads the app's HTTP API: give --api <functionsBaseUrl> (or ${CLI_API_URL_SETTING} in the environment or the --settings file)` };
    try {
      api = functionsBaseUrl(fromEnv);
    } catch (e) {
      return { ok: false, message: `${CLI_API_URL_SETTING}: ${(e as Error).message}` };
    }
  }
  const appId = command.appId ?? env[CLI_API_APP_ID_SETTING]?.trim();
  if (appId === undefined || appId === '') return { ok: false, message: `'${name}' needs the app registration of the HTTP API: --app-id <guid> or ${CLI_API_APP_ID_SETTING}` };
  if (!isGuid(appId)) return { ok: false, message: `${CLI_API_APP_ID_SETTING} must be the app registration's client id (a GUID), not '${appId}'` };
  return { ok: true, api, appId: appId.toLowerCase() };
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  if (isWorkspaceCommand(argv)) return runWorkspaceCommand(argv, { stdout: io.stdout, stderr: io.stderr, environment: io.environment ?? defaultEnvironment });
  let command: Command;
  try {
    command = parseCommandLine(argv);
  } catch (e) {
    if (e instanceof UsageError) return usage(io, e.message);
    throw e;
  }
  if (command.command === 'help') {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const environmentOf = io.environment ?? defaultEnvironment;
  const settingsFile = command.settingsFile;
  const environment = (): EnvironmentMap => environmentOf(settingsFile);

  if (command.command === 'status' || command.command === 'report') {
    let env: EnvironmentMap;
    try {
      env = environment();
    } catch (e) {
      if (errorCodeOf(e) === ErrorCodes.CONFIG_INVALID) return usage(io, withoutCode(e));
      throw e;
    }
    const api = apiOf(command, env);
    if (!api.ok) return usage(io, api.message);
    // the credential chain reads the process environment (the settings file's Values are in it by now)
    const auth = { appId: api.appId, credential: io.credential ? io.credential() : createCredential({ AZURE_CLIENT_ID: undefined }) };
    return command.command === 'status' ? statusCommand({ ...command, api: api.api }, auth, io) : runReportCommand({ ...command, api: api.api }, auth, io);
  }

  // each command asks only for the settings it reads: hardening's endpoint subnet and zones only where it hardens
  if (command.command === 'discovery' || command.command === 'egress-check' || command.command === 'exfiltration' || command.command === 'fleet') {
    const settings = settingsOf<BaseConfig>(loadBaseConfig, environment);
    if (!settings.ok) return usage(io, settings.message);
    const config = settings.value;
    const ports = createPorts(config);
    if (command.command === 'discovery') {
      if (!isKnownRegion(command.region, config.AZURE_CLOUD)) return usage(io, `bad <region> '${command.region}': not a region of ${config.AZURE_CLOUD}`);
      return discoveryCommand(command, ports.discovery, io);
    }
    if (command.command === 'fleet') return runFleetCommand(command, config, ports, io);
    return runNetworkCommand(command, ports.networkSecurity, ports.workspace.workspaces, config.AZURE_CLOUD, io);
  }

  const settings = settingsOf<Config>(loadConfig, environment);
  if (!settings.ok) return usage(io, settings.message);
  const config = settings.value;
  const activity: ActivityDeps = { config, ports: createPorts(config), now: io.now ?? (() => new Date()) };

  if (command.command === 'sweep') {
    const sleep = io.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    return sweepCommand(command, config, { activity, sleep, onProgress: () => undefined }, io);
  }

  return hardeningCommand(command, config, activity, io);
}
