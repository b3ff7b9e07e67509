import { ErrorCodes, LockdownError } from '../../shared/errors';
import { ArmTypes, armIdOf, isResourceOfType } from '../../shared/arm-id';
import type { HardenInput, HardenOptions, LockdownOrder, RunMode } from './hardening';
import { parseRegistryId, toRegistryId } from './registry';
import { callerProblems, toCaller } from '../../shared/caller';

/** Defaults matching the settings' defaults; the starter normally fills every option. */
export const DEFAULT_HARDEN_OPTIONS: Readonly<HardenOptions> = Object.freeze({
  order: 'lockdown-first',
  lockdownAcr: true,
  approvalDeadlineMinutes: 24 * 60,
  dnsDeadlineMinutes: 15,
  provisioningDeadlineMinutes: 60,
  throttlePatienceMinutes: 60,
  approvalPollSeconds: 60,
  dnsRetrySeconds: 30,
  provisioningPollSeconds: 30,
  accessPropagationMinutes: 10,
  accessPollSeconds: 30,
});

const ORDERS: readonly LockdownOrder[] = ['lockdown-first', 'endpoints-first'];
const MODES: readonly RunMode[] = ['apply', 'plan'];
/** option, its maximum, and whether 0 is allowed (ACCESS_PROPAGATION_MINUTES=0: fail at the first refusal) */
const NUMBER_LIMITS: ReadonlyArray<[keyof HardenOptions, number, 'zero ok'?]> = [
  ['approvalDeadlineMinutes', 7 * 24 * 60],
  ['dnsDeadlineMinutes', 24 * 60],
  ['provisioningDeadlineMinutes', 24 * 60],
  ['throttlePatienceMinutes', 24 * 60],
  ['approvalPollSeconds', 24 * 60 * 60],
  ['dnsRetrySeconds', 24 * 60 * 60],
  ['provisioningPollSeconds', 24 * 60 * 60],
  ['accessPropagationMinutes', 24 * 60, 'zero ok'],
  ['accessPollSeconds', 24 * 60 * 60],
];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Validates the orchestration input (it crosses a trust boundary: HTTP callers, the CLI, the
 * event trigger). Missing options take the defaults; wrong ones fail the run with
 * HARDEN.INPUT_INVALID listing every problem.
 */
export function parseHardenInput(raw: unknown): HardenInput {
  const problems: string[] = [];
  if (!isRecord(raw)) {
    throw new LockdownError(ErrorCodes.HARDEN_INPUT_INVALID, 'the orchestration input must be an object { registryId, mode, options, trigger }.');
  }
  const registryId = raw.registryId;
  if (typeof registryId !== 'string') problems.push('registryId must be a string');
  else {
    try {
      parseRegistryId(registryId);
    } catch (e) {
      problems.push(`registryId: ${(e as Error).message}`);
    }
  }
  const mode = raw.mode ?? 'apply';
  if (!MODES.includes(mode as RunMode)) problems.push(`mode must be one of ${MODES.join(', ')}`);

  const given = raw.options ?? {};
  const options: HardenOptions = { ...DEFAULT_HARDEN_OPTIONS };
  if (!isRecord(given)) problems.push('options must be an object');
  else {
    if (given.order !== undefined) {
      if (ORDERS.includes(given.order as LockdownOrder)) options.order = given.order as LockdownOrder;
      else problems.push(`options.order must be one of ${ORDERS.join(', ')}`);
    }
    if (given.lockdownAcr !== undefined) {
      if (typeof given.lockdownAcr === 'boolean') options.lockdownAcr = given.lockdownAcr;
      else problems.push('options.lockdownAcr must be a boolean');
    }
    for (const [key, max, zero] of NUMBER_LIMITS) {
      const value = given[key];
      if (value === undefined) continue;
      if (typeof value === 'number' && Number.isFinite(value) && (zero ? value >= 0 : value > 0) && value <= max) (options[key] as number) = value;
      else problems.push(`options.${key} must be a number in ${zero ? '[' : '('}0, ${max}]`);
    }
    if (given.subnetId !== undefined) {
      if (typeof given.subnetId === 'string' && isResourceOfType(given.subnetId, ArmTypes.subnet)) options.subnetId = armIdOf(given.subnetId, ArmTypes.subnet);
      else problems.push('options.subnetId must be a Microsoft.Network/virtualNetworks/subnets resource id');
    }
  }

  const triggeredAt = raw.triggeredAt;
  if (triggeredAt !== undefined && (typeof triggeredAt !== 'string' || Number.isNaN(Date.parse(triggeredAt)))) {
    problems.push('triggeredAt must be an ISO date-time');
  }
  const trigger = raw.trigger ?? 'unknown';
  if (typeof trigger !== 'string' || trigger.length === 0 || trigger.length > 64) problems.push('trigger must be a short string');
  if (raw.caller !== undefined) problems.push(...callerProblems(raw.caller));

  if (problems.length > 0) {
    throw new LockdownError(ErrorCodes.HARDEN_INPUT_INVALID, `invalid orchestration input: ${problems.join('; ')}.`);
  }
  const input: HardenInput = { registryId: toRegistryId(registryId as string), mode: mode as RunMode, options, trigger: trigger as string };
  if (typeof triggeredAt === 'string') input.triggeredAt = triggeredAt;
  if (isRecord(raw.caller)) input.caller = toCaller(raw.caller);
  return input;
}
