import type { ActivityDeps } from '../main';
import { createPorts } from '../main';
import { loadConfig, type Config } from '../config';
import { CLI_FUNCTION_KEY_SETTING, cliEnvironment, readSettingsFileValues, type EnvironmentMap } from '../config/cli-environment';
import { optionsFromConfig } from '../config/harden-options';
import { codedFailure, errorCodeOf, ErrorCodes } from '../shared/errors';
import { parseHardenInput } from '../hardening/domain/harden-input';
import type { OutcomeKind, RunMode } from '../hardening/domain/hardening';
import { isKnownRegion } from '../shared/regions';
import { parseCommandLine, UsageError, USAGE, type Command } from './args';
import { discoverySummary, outcomeSummary, ProgressDisplay, statusSummary, verifyDnsSummary, type Output } from './render';
import { runHardening, verifyDns, type RunnerDeps } from '../hardening/harden.in-process';
import { fetchStatus, statusExitCode } from '../hardening/cli-status';
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
}

const OK_KINDS: ReadonlySet<OutcomeKind> = new Set(['Hardened', 'Planned', 'Exempt']);

function defaultEnvironment(settingsFile: string | undefined): EnvironmentMap {
  return cliEnvironment(settingsFile === undefined ? {} : readSettingsFileValues(settingsFile));
}

function usage(io: CliIo, message: string): 2 {
  io.stderr.write(`aml-lockdown: ${message}\nRun 'aml-lockdown --help' for usage.\n`);
  return 2;
}

function json(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
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
    const key = command.key ?? environment(undefined)[CLI_FUNCTION_KEY_SETTING];
    if (key === undefined || key.trim() === '') return usage(io, `'status' needs the function key: --key <functionKey> or ${CLI_FUNCTION_KEY_SETTING}`);
    const answer = await fetchStatus({ api: command.api, key: key.trim(), registry: command.registry });
    if (answer.kind === 'status') {
      if (command.json) json(io, answer.body);
      else io.stdout.write(statusSummary(command.registry.id, answer.body));
      return statusExitCode(answer);
    }
    const error = answer.kind === 'neverRun' ? { code: ErrorCodes.RUN_NOT_FOUND, message: answer.message } : { code: answer.code, message: answer.message };
    if (command.json) json(io, { error });
    else io.stderr.write(`aml-lockdown status: ${error.code}: ${error.message}\n`);
    return 1;
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

  if (command.command === 'discovery') {
    try {
      const doc = await activity.ports.discovery.discover(command.region, command.registryName);
      if (command.json) json(io, doc);
      else io.stdout.write(discoverySummary(command.region, command.registryName, doc));
      return 0;
    } catch (e) {
      const error = codedFailure(e);
      if (command.json) json(io, { error });
      else io.stderr.write(`aml-lockdown discovery: ${error.code}: ${error.message}\n`);
      return 1;
    }
  }

  if (command.command === 'sweep') {
    const sleep = io.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    return sweepCommand(command, config, { activity, sleep, onProgress: () => undefined }, io);
  }

  const title = `aml-lockdown ${command.command} ${command.registry.id}`;
  const display = command.json ? undefined : new ProgressDisplay(io.stdout, title);
  const deps: RunnerDeps = {
    activity,
    sleep: io.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    onProgress: (steps) => display?.update(steps),
  };

  if (command.command === 'verify-dns') {
    const result = await verifyDns({ registryId: command.registry.id, ...(command.subnetId !== undefined ? { subnetId: command.subnetId } : {}) }, deps);
    if (command.json) {
      const { steps: _steps, ...document } = result;
      json(io, document);
    } else io.stdout.write(verifyDnsSummary(result));
    return result.proven ? 0 : 1;
  }

  const mode: RunMode = command.command;
  let input;
  try {
    input = parseHardenInput({ registryId: command.registry.id, mode, options: optionsFromConfig(config, command), trigger: 'cli' });
  } catch (e) {
    return usage(io, (e as Error).message.replace(/^\[[^\]]+\]\s/, ''));
  }
  const { outcome } = await runHardening(input, { publish: command.publish }, deps);
  if (command.json) json(io, outcome);
  else io.stdout.write(outcomeSummary(outcome));
  return OK_KINDS.has(outcome.kind) ? 0 : 1;
}
