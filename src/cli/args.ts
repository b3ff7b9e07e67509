import { parseArgs } from 'node:util';
import { ArmTypes, armIdOf, isGuid, isResourceOfType, type SubnetId } from '../shared/arm-id';
import type { FleetCapability } from '../fleet/domain/fleet';
import { parseWorkspaceId } from '../workspaces/domain/workspace';
import { isValidRegistryName, parseRegistryId, REGISTRY_NAME_RULE, type RegistryRef } from '../hardening/domain/registry';
import { didYouMean, withOptionGuess } from '../shared/did-you-mean';
import { withoutCode } from '../shared/errors';

/**
 * The command line of `aml-lockdown`, parsed with node:util parseArgs (strict): a typed command
 * or a UsageError naming the problem (exit code 2).
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const COMMANDS = ['plan', 'apply', 'verify-dns', 'discovery', 'status', 'report', 'sweep', 'egress-check', 'exfiltration'] as const;
export type CommandName = (typeof COMMANDS)[number];
/** the workspace commands (parsed by src/workspaces/cli.ts) */
export const WORKSPACE_COMMANDS = ['allow-sharing', 'audit-deployments'] as const;
/** every command aml-lockdown knows */
export const ALL_COMMANDS: readonly string[] = [...COMMANDS, ...WORKSPACE_COMMANDS];

interface Common {
  json: boolean;
  /** a local.settings.json-style file whose Values feed the settings (the environment wins) */
  settingsFile?: string;
}

export interface HardenFlags {
  /** override of PRIVATE_ENDPOINT_SUBNET_ID for this run */
  subnetId?: SubnetId;
  /** poll interval (approval, DNS retries, provisioning), seconds */
  pollSeconds?: number;
  /** publish the outcome CloudEvent (when OUTCOME_TOPIC_ENDPOINT is set) */
  publish: boolean;
}

export type Command =
  | { command: 'help' }
  | ({ command: 'plan' | 'apply'; registry: RegistryRef } & Common & HardenFlags)
  | ({ command: 'verify-dns'; registry: RegistryRef; subnetId?: SubnetId } & Common)
  | ({ command: 'discovery'; region: string; registryName: string } & Common)
  | ({ command: 'status'; registry: RegistryRef; api?: string; appId?: string } & Common)
  | ReportCommand
  | ({ command: 'sweep'; apply: boolean; subscriptionIds?: string[] } & Common & HardenFlags)
  | ({ command: 'egress-check'; regions?: string[]; fix: boolean } & EgressTarget & Common)
  | ({ command: 'exfiltration'; subnetId: string; apply: boolean } & Common)
  | ({ command: 'fleet'; capability: FleetCapability; subscriptionIds?: string[]; regions?: string[] } & Common);

/** `report`: the isolation report of a registry (or, with --all, the fleet overview) from the app's HTTP API, as HTML (or --json), to --out or stdout. */
export interface ReportCommand extends Common {
  command: 'report';
  /** absent with --all */
  registry?: RegistryRef;
  all: boolean;
  /** --api; absent: LOCKDOWN_API_URL from the environment or the settings file (app.ts) */
  api?: string;
  appId?: string;
  out?: string;
}

/** egress-check: a subnet, or a workspace (read first) with --subnet or, without it, its computes' subnets. */
export type EgressTarget = { subnetId: string; workspaceId?: undefined } | { workspaceId: string; subnetId?: string };

export const USAGE = `Usage: aml-lockdown <command> [options]

Commands:
  plan <registryId>           what hardening would change (reads only, no writes)
  apply <registryId>          harden the registry: private endpoints + zone groups, public access
                              off, DNS proven (idempotent: a hardened registry costs zero writes)
  verify-dns <registryId>     resolve every private name of the registry's endpoints once and check
                              registry discovery covers every region
  discovery <region> <name>   the registry's discovery document (registryFqdns and the rest)
  status <registryId>         the app's last run for the registry, through its HTTP API
  report <registryId>         the registry's isolation report from the app's HTTP API, as one HTML
                              page (--json: the JSON), to --out <file> or stdout
  report --all                the fleet overview: every registry of the target scope, its state
  sweep                       plan every registry of TARGET_SUBSCRIPTION_IDS (or --subscriptions);
                              --apply hardens the non-compliant ones here, paced by the write budget
  egress-check <subnetId | workspaceId>
                              the outbound NSG rules a secured workspace needs for a public registry:
                              present / missing / shadowed (--fix adds the missing ones); a workspace
                              is read first, then --subnet or the subnets of its computes
  egress-check --all          report only, over every workspace of TARGET_SUBSCRIPTION_IDS +
                              TARGET_MANAGEMENT_GROUP (or --subscriptions); fix per workspace
  exfiltration <subnetId>     the ML-alias service endpoint policy + Storage endpoint on the subnet
                              (--apply creates / attaches them, removing nothing)
  exfiltration --all          report only, over the compute subnets of every target workspace
  allow-sharing <workspaceId> <registryId>
                              let the registry in on the workspace's storage account (selected
                              networks + resource-instance rule; --force for a fully public or
                              disabled account, with --reason for a disabled one)
  audit-deployments <workspaceId>... | --all
                              managed online deployments serving a registry model without
                              egressPublicNetworkAccess Disabled (report only; --all: every
                              workspace of the target subscriptions)
  (allow-sharing is one workspace with one registry: it has no --all)

Options:
  --json                      print one JSON document instead of the human display
  --settings <file>           read settings from a local.settings.json-style file's Values (every
                              command; the environment wins): the app's settings, the Azure
                              credential chain's (AZURE_CLIENT_ID, IDENTITY_ENDPOINT, ...) and
                              LOCKDOWN_API_URL; each command asks only for those it uses
  --subnet <subnetId>         private-endpoint subnet for this run (plan, apply, verify-dns)
  --poll-seconds <n>          approval / DNS retry / provisioning poll interval (plan, apply)
  --no-publish                do not send the outcome event to OUTCOME_TOPIC_ENDPOINT (plan, apply)
  --api <functionsBaseUrl>    the function app, e.g. https://func-lockdown.azurewebsites.net (status, report;
                              default: LOCKDOWN_API_URL)
  --app-id <guid>             its app registration (status, report; default: env AUTH_APP_ID): the token
                              is for api://<app-id>/.default, from the standard Azure chain
                              (DefaultAzureCredential), and needs the app role Lockdown.Reader
  --out <file>                write the report there instead of to stdout (report)
  --apply                     harden the non-compliant registries (sweep; default: report only)
  --subscriptions <ids>       comma-separated subscription ids instead of TARGET_SUBSCRIPTION_IDS and
                              TARGET_MANAGEMENT_GROUP (sweep, --all)
  --all                       every workspace of the target subscriptions, report only
                              (egress-check, exfiltration, audit-deployments); report: the fleet
  --region <r[,r...]>         the registry's region(s) (egress-check; default: the subnet's VNet region)
  --fix                       add the missing outbound rules (egress-check)
  --force                     also change a fully public or public-access-Disabled account (allow-sharing)
  --reason <why>              why (allow-sharing --force; required to turn public access Disabled into
                              Enabled, recorded in the report)
  -h, --help                  this text

<registryId>: /subscriptions/<guid>/resourceGroups/<rg>/providers/Microsoft.MachineLearningServices/registries/<name>
Settings: the app's (docs/settings.md), from the environment or --settings; credential: the
standard Azure chain (managed identity, Azure CLI login, ...).
Exit codes: 0 done / compliant, 1 failed (including DNS not proven), 2 bad usage or settings.`;

const OPTIONS = {
  json: { type: 'boolean' },
  settings: { type: 'string' },
  subnet: { type: 'string' },
  'poll-seconds': { type: 'string' },
  'no-publish': { type: 'boolean' },
  api: { type: 'string' },
  'app-id': { type: 'string' },
  out: { type: 'string' },
  apply: { type: 'boolean' },
  subscriptions: { type: 'string' },
  region: { type: 'string' },
  fix: { type: 'boolean' },
  all: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type OptionName = keyof typeof OPTIONS;

const ALLOWED: Readonly<Record<CommandName, readonly OptionName[]>> = {
  plan: ['json', 'settings', 'subnet', 'poll-seconds', 'no-publish'],
  apply: ['json', 'settings', 'subnet', 'poll-seconds', 'no-publish'],
  'verify-dns': ['json', 'settings', 'subnet'],
  discovery: ['json', 'settings'],
  status: ['json', 'settings', 'api', 'app-id'],
  report: ['json', 'settings', 'api', 'app-id', 'out', 'all'],
  sweep: ['json', 'settings', 'subnet', 'poll-seconds', 'no-publish', 'apply', 'subscriptions'],
  'egress-check': ['json', 'settings', 'region', 'fix', 'subnet', 'all', 'subscriptions'],
  exfiltration: ['json', 'settings', 'apply', 'all', 'subscriptions'],
};

const ARITY: Readonly<Record<CommandName, readonly string[]>> = {
  plan: ['<registryId>'],
  apply: ['<registryId>'],
  'verify-dns': ['<registryId>'],
  discovery: ['<region>', '<name>'],
  status: ['<registryId>'],
  report: ['<registryId>'],
  sweep: [],
  'egress-check': ['<subnetId | workspaceId>'],
  exfiltration: ['<subnetId>'],
};

const MAX_POLL_SECONDS = 24 * 60 * 60;

function isCommand(value: string | undefined): value is CommandName {
  return (COMMANDS as readonly string[]).includes(value ?? '');
}

function registryRef(value: string): RegistryRef {
  try {
    return parseRegistryId(value);
  } catch (e) {
    throw new UsageError(`bad <registryId>: ${withoutCode(e)}`);
  }
}

function positiveSeconds(value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || !Number.isFinite(n) || n <= 0 || n > MAX_POLL_SECONDS) {
    throw new UsageError(`--poll-seconds must be a number of seconds in (0, ${MAX_POLL_SECONDS}], not '${value}'`);
  }
  return n;
}

/** 127.0.0.0/8, ::1 and localhost: a request there never leaves the machine. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}$/.test(host);
}

/** The function app's base URL (--api or LOCKDOWN_API_URL), checked and without a trailing /api; a UsageError otherwise. */
export function functionsBaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--api must be the function app's base URL (http or https), not '${value}'`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UsageError(`--api must be an http(s) URL, not '${value}'`);
  // the bearer token travels with every request: in the clear only to this machine (the local host)
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) throw new UsageError(`--api must be https (plain http only for this machine: 127.0.0.1, ::1, localhost), not '${value}'`);
  if (url.search !== '' || url.hash !== '') throw new UsageError('--api must not carry a query or fragment (the token goes in a header)');
  return url.toString().replace(/\/+$/, '').replace(/\/api$/i, '');
}

type ParsedValues = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>>['values'];

const GUID_RULE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `--subscriptions a,b`: GUIDs, lower case; a UsageError naming the first bad one. */
export function subscriptionList(value: string): string[] {
  const ids = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const bad = ids.filter((s) => !GUID_RULE.test(s));
  if (ids.length === 0 || bad.length > 0) throw new UsageError(`--subscriptions must be comma-separated subscription ids (GUIDs)${bad.length > 0 ? `, not '${bad[0] ?? ''}'` : ''}`);
  return ids.map((s) => s.toLowerCase());
}

function regionList(value: string): string[] {
  const regions = value.split(',').map((r) => r.trim().toLowerCase()).filter((r) => r !== '');
  const bad = regions.find((r) => !/^[a-z0-9]+$/.test(r));
  if (regions.length === 0 || bad !== undefined) throw new UsageError(`--region must be region names in ARM form, comma-separated (e.g. westeurope,northeurope), not '${value}'`);
  return regions;
}

const SUBNET_TYPE = ArmTypes.subnet;

/** egress-check --all / exfiltration --all: a fleet report, reads only. */
function fleetCommand(name: 'egress-check' | 'exfiltration', rest: readonly string[], values: ParsedValues, json: boolean): Command {
  if (rest.length > 0) throw new UsageError(`'${name} --all' takes no ${name === 'egress-check' ? '<subnetId | workspaceId>' : '<subnetId>'}: it covers every workspace of the target subscriptions`);
  const change = name === 'egress-check' ? values.fix : values.apply;
  if (change !== undefined) throw new UsageError(`--all reports only: ${name === 'egress-check' ? '--fix' : '--apply'} stays per ${name === 'egress-check' ? 'workspace or subnet' : 'subnet'}, named explicitly`);
  if (values.subnet !== undefined) throw new UsageError('--subnet names one subnet of a workspace; --all covers the subnets of every workspace');
  const command: Command = { command: 'fleet', capability: name === 'egress-check' ? 'registry-egress' : 'exfiltration', json };
  if (values.settings !== undefined) command.settingsFile = values.settings;
  if (values.subscriptions !== undefined) command.subscriptionIds = subscriptionList(values.subscriptions);
  if (values.region !== undefined) command.regions = regionList(values.region);
  return command;
}

/** --app-id, checked: the API's app registration (status, report); absent: AUTH_APP_ID (app.ts). */
function appIdOption(values: ParsedValues): string | undefined {
  const appId = values['app-id'];
  if (appId === undefined) return undefined;
  if (!isGuid(appId)) throw new UsageError(`--app-id must be the app registration's client id (a GUID), not '${appId}'`);
  return appId.toLowerCase();
}

/** report <registryId> | report --all: --api is required; the app registration comes from --app-id or the environment (app.ts). */
function reportCommand(rest: readonly string[], values: ParsedValues): Command {
  const all = values.all === true;
  if (all && rest.length > 0) throw new UsageError("'report --all' takes no <registryId>: it is the overview of every registry of the target scope");
  if (!all && rest.length !== 1) throw new UsageError(`'report' takes <registryId> (or --all); got ${rest.length === 0 ? 'nothing' : rest.map((r) => `'${r}'`).join(' ')}`);
  if (values.out !== undefined && values.out.trim() === '') throw new UsageError('--out must name a file');
  const command: ReportCommand = { command: 'report', all, json: values.json === true };
  if (values.api !== undefined) command.api = functionsBaseUrl(values.api);
  if (values.settings !== undefined) command.settingsFile = values.settings;
  if (!all) command.registry = registryRef(rest[0] as string);
  const appId = appIdOption(values);
  if (appId !== undefined) command.appId = appId;
  if (values.out !== undefined) command.out = values.out;
  return command;
}

function sweepCommand(values: ParsedValues, json: boolean): Command {
  const command: Command = { command: 'sweep', apply: values.apply === true, json, publish: values['no-publish'] !== true };
  if (values.settings !== undefined) command.settingsFile = values.settings;
  if (values.subnet !== undefined) {
    if (!isResourceOfType(values.subnet, SUBNET_TYPE)) throw new UsageError(`--subnet must be a ${SUBNET_TYPE} resource id, not '${values.subnet}'`);
    command.subnetId = armIdOf(values.subnet, ArmTypes.subnet);
  }
  if (values['poll-seconds'] !== undefined) command.pollSeconds = positiveSeconds(values['poll-seconds']);
  if (values.subscriptions !== undefined) command.subscriptionIds = subscriptionList(values.subscriptions);
  return command;
}

/** egress-check / exfiltration: a subnet id (egress-check: or a workspace id, with --subnet), and --region / --fix / --apply. */
function networkCommand(name: 'egress-check' | 'exfiltration', target: string, values: ParsedValues, json: boolean): Command {
  if (values.subscriptions !== undefined) throw new UsageError('--subscriptions goes with --all');
  const common: Common = { json };
  if (values.settings !== undefined) common.settingsFile = values.settings;
  if (name === 'exfiltration') {
    if (!isResourceOfType(target, SUBNET_TYPE)) throw new UsageError(`bad <subnetId>: a ${SUBNET_TYPE} resource id, not '${target}'`);
    return { command: name, subnetId: target, apply: values.apply === true, ...common };
  }
  let egressTarget: EgressTarget;
  if (isResourceOfType(target, SUBNET_TYPE)) {
    if (values.subnet !== undefined) throw new UsageError('--subnet goes with a <workspaceId>: the subnet is already named');
    egressTarget = { subnetId: target };
  } else if (/\/providers\/Microsoft\.MachineLearningServices\/workspaces\//i.test(target)) {
    let workspaceId: string;
    try {
      workspaceId = parseWorkspaceId(target).id;
    } catch (e) {
      throw new UsageError(`bad <workspaceId>: ${withoutCode(e)}`);
    }
    if (values.subnet !== undefined && !isResourceOfType(values.subnet, SUBNET_TYPE)) throw new UsageError(`--subnet must be a ${SUBNET_TYPE} resource id, not '${values.subnet}'`);
    egressTarget = values.subnet !== undefined ? { workspaceId, subnetId: values.subnet } : { workspaceId };
  } else {
    throw new UsageError(`bad <subnetId | workspaceId>: a ${SUBNET_TYPE} or Microsoft.MachineLearningServices/workspaces resource id, not '${target}'`);
  }
  const command: Command = { command: name, ...egressTarget, fix: values.fix === true, ...common };
  if (values.region !== undefined) command.regions = regionList(values.region);
  return command;
}

export function parseCommandLine(argv: readonly string[]): Command {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(withOptionGuess((e as Error).message, Object.keys(OPTIONS)));
  }
  const { values, positionals } = parsed;
  const [name, ...rest] = positionals;
  if (values.help === true || name === 'help') return { command: 'help' };
  if (name === undefined) throw new UsageError(`a command is required: one of ${ALL_COMMANDS.join(', ')}`);
  if (!isCommand(name)) throw new UsageError(`unknown command '${name}'${didYouMean(name, ALL_COMMANDS)}: use one of ${ALL_COMMANDS.join(', ')}`);

  const given = (Object.keys(values) as OptionName[]).filter((o) => o !== 'help' && values[o] !== undefined);
  const notHere = given.filter((o) => !ALLOWED[name].includes(o));
  if (notHere.length > 0) {
    throw new UsageError(`${notHere.map((o) => `--${o}`).join(', ')} ${notHere.length === 1 ? 'is' : 'are'} not an option of '${name}' (its options: ${ALLOWED[name].map((o) => `--${o}`).join(', ')})`);
  }
  if ((name === 'egress-check' || name === 'exfiltration') && values.all === true) return fleetCommand(name, rest, values, values.json === true);
  if (name === 'report') return reportCommand(rest, values);
  const arity = ARITY[name];
  if (rest.length !== arity.length) {
    throw new UsageError(`'${name}' takes ${arity.join(' ')}; got ${rest.length === 0 ? 'nothing' : rest.map((r) => `'${r}'`).join(' ')}`);
  }
  const json = values.json === true;
  const first = rest[0] as string;

  if (name === 'sweep') return sweepCommand(values, json);
  if (name === 'egress-check' || name === 'exfiltration') return networkCommand(name, first, values, json);
  if (name === 'status') {
    const command: Command = { command: 'status', registry: registryRef(first), json };
    if (values.api !== undefined) command.api = functionsBaseUrl(values.api);
    if (values.settings !== undefined) command.settingsFile = values.settings;
    const appId = appIdOption(values);
    if (appId !== undefined) command.appId = appId;
    return command;
  }
  const common: Common = { json };
  if (values.settings !== undefined) common.settingsFile = values.settings;

  if (name === 'discovery') {
    const registryName = rest[1] as string;
    if (first.trim() === '' || !/^[a-z0-9 ]+$/i.test(first)) throw new UsageError(`bad <region> '${first}': an Azure region name such as westeurope`);
    if (!isValidRegistryName(registryName)) throw new UsageError(`bad <name> '${registryName}': a registry name must match ${REGISTRY_NAME_RULE.source}`);
    return { command: 'discovery', region: first, registryName, ...common };
  }

  const registry = registryRef(first);
  if (values.subnet !== undefined && !isResourceOfType(values.subnet, SUBNET_TYPE)) {
    throw new UsageError(`--subnet must be a ${SUBNET_TYPE} resource id, not '${values.subnet}'`);
  }
  const subnetId = values.subnet === undefined ? undefined : armIdOf(values.subnet, ArmTypes.subnet);
  if (name === 'verify-dns') return { command: 'verify-dns', registry, ...common, ...(subnetId !== undefined ? { subnetId } : {}) };

  const flags: HardenFlags = { publish: values['no-publish'] !== true };
  if (subnetId !== undefined) flags.subnetId = subnetId;
  if (values['poll-seconds'] !== undefined) flags.pollSeconds = positiveSeconds(values['poll-seconds']);
  return { command: name, registry, ...common, ...flags };
}
