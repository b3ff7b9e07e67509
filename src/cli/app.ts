import type { ActivityDeps } from '../main';
import { createPorts } from '../main';
import { loadConfig, type Config } from '../config';
import type { TokenCredential } from '@azure/core-auth';
import { CLI_API_APP_ID_SETTING, cliEnvironment, readSettingsFileValues, type EnvironmentMap } from '../config/cli-environment';
import { createCredential } from '../azure/client-factory';
import { isGuid } from '../shared/arm-id';
import { errorCodeOf, ErrorCodes } from '../shared/errors';
import { isKnownRegion } from '../shared/regions';
import { parseCommandLine, UsageError, USAGE, type Command } from './args';
import type { Output } from './render';
import { hardeningCommand, statusCommand } from '../hardening/cli';
import { isWorkspaceCommand, runWorkspaceCommand } from '../workspaces/cli';
import { runNetworkCommand } from '../network/cli';
import { runFleetCommand } from '../fleet/cli';
import { sweepCommand } from '../sweep/cli';

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

function defaultEnvironment(settingsFile: string | undefined): EnvironmentMap {
  return cliEnvironment(settingsFile === undefined ? {} : readSettingsFileValues(settingsFile));
}

function usage(io: CliIo, message: string): 2 {
  io.stderr.write(`aml-lockdown: ${message}\nRun 'aml-lockdown --help' for usage.\n`);
  return 2;
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
  const environment = io.environment ?? defaultEnvironment;

  if (command.command === 'status') {
    const appId = command.appId ?? environment(undefined)[CLI_API_APP_ID_SETTING]?.trim();
    if (appId === undefined || appId === '') return usage(io, `'status' needs the app registration of the HTTP API: --app-id <guid> or ${CLI_API_APP_ID_SETTING}`);
    if (!isGuid(appId)) return usage(io, `${CLI_API_APP_ID_SETTING} must be the app registration's client id (a GUID), not '${appId}'`);
    const credential = io.credential ? io.credential() : createCredential({ AZURE_CLIENT_ID: undefined });
    return statusCommand(command, { appId: appId.toLowerCase(), credential }, io);
  }

  let config: Config;
  try {
    config = loadConfig(environment(command.settingsFile));
  } catch (e) {
    if (errorCodeOf(e) === ErrorCodes.CONFIG_INVALID) return usage(io, (e as Error).message.replace(/^\[[^\]]+\]\s/, ''));
    throw e;
  }
  if (command.command === 'discovery' && !isKnownRegion(command.region, config.AZURE_CLOUD)) {
    return usage(io, `bad <region> '${command.region}': not a region of ${config.AZURE_CLOUD}`);
  }

  const activity: ActivityDeps = { config, ports: createPorts(config), now: io.now ?? (() => new Date()) };

  if (command.command === 'egress-check' || command.command === 'exfiltration') {
    return runNetworkCommand(command, activity.ports.networkSecurity, activity.ports.workspace.workspaces, config.AZURE_CLOUD, io);
  }
  if (command.command === 'fleet') return runFleetCommand(command, config, activity.ports, io);

  if (command.command === 'sweep') {
    const sleep = io.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    return sweepCommand(command, config, { activity, sleep, onProgress: () => undefined }, io);
  }

  return hardeningCommand(command, config, activity, io);
}
