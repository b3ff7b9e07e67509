import type { RegistryId, SubnetId } from '../shared/arm-id';
import { Activities } from '../shared/names';
import { codedFailure, ErrorCodes, LockdownError } from '../shared/errors';
import { callAll, progress, type Workflow, type WorkflowContext } from '../shared/workflow';
import { isActivityRefusal, isActivityThrottled, isActivityWaiting, type CheckDiscoveryOutput, type CollectDnsExpectationsOutput, type HardenActivities, type HardenActivityName, type InspectTargetsInput, type InspectTargetsOutput, type ProveDnsOutput, type ReadRegistryOutput } from './activities/contracts';
import { describeDnsFailure, describeDnsProven, isDnsProven } from './domain/dns-expectations';
import type { DiscoveryCheck, DnsCheck, StepName, StepState, StepStatus } from './domain/hardening';
import { describeTarget, planHardening } from './domain/plan';
import { initialSteps, runningStep, skipPending, withStep } from './domain/progress';
import * as detail from './domain/step-details';

/**
 * `aml-lockdown verify-dns`: one DNS proof of the registry's existing endpoints — read → resolve →
 * dns, no writes and no waiting (a throttled or refused call fails the check). The same
 * activities and step texts as the hardening workflow; run by the in-process driver.
 */
export interface VerifyDnsResult {
  registryId: string;
  /** every name resolves to its endpoint's private IP, every target has an endpoint, discovery covers every region */
  proven: boolean;
  checks: DnsCheck[];
  discovery?: DiscoveryCheck;
  /** targets without a usable private endpoint in the subnet */
  missingEndpoints: string[];
  /** what is wrong, one line per problem ('' when proven) */
  diagnosis: string;
  error?: { code: string; message: string };
  steps: StepStatus[];
}

const STEPS: readonly StepName[] = ['read', 'resolve', 'dns'];

export function* verifyDnsWorkflow(ctx: WorkflowContext, args: { registryId: RegistryId; subnetId?: SubnetId }): Workflow<VerifyDnsResult> {
  let steps = initialSteps().filter((s) => STEPS.includes(s.step));
  const at = (): string => new Date(ctx.nowMs()).toISOString();
  function* set(step: StepName, state: StepState, text: string): Workflow<void> {
    steps = withStep(steps, step, state, text, at());
    yield* progress({ registryId: args.registryId, steps });
  }
  function* call<K extends HardenActivityName>(name: K, input: HardenActivities[K]['input']): Workflow<HardenActivities[K]['output']> {
    const [settled] = yield* callAll([{ name, input }]);
    if (settled === undefined) throw new LockdownError(ErrorCodes.HARDEN_UNEXPECTED, `no answer from ${name}.`);
    if (!settled.ok) throw settled.error;
    const value = settled.value;
    if (isActivityRefusal(value)) throw new Error(value.refused);
    if (isActivityThrottled(value)) throw new Error(value.throttled);
    if (isActivityWaiting(value)) throw new Error(value.waiting);
    return value as HardenActivities[K]['output'];
  }

  const result: VerifyDnsResult = { registryId: args.registryId, proven: false, checks: [], missingEndpoints: [], diagnosis: '', steps: [] };
  try {
    yield* progress({ registryId: args.registryId, steps });
    yield* set('read', 'running', 're-reading the registry');
    const reading: ReadRegistryOutput = yield* call(Activities.readRegistry, { registryId: args.registryId });
    if (reading.status === 'notFound') throw new LockdownError(ErrorCodes.REGISTRY_NOT_FOUND, `the registry ${args.registryId} does not exist.`);
    if (reading.status === 'provisioning') throw new LockdownError(ErrorCodes.HARDEN_PROVISIONING_DEADLINE, `the registry is still '${reading.provisioningState}'; verify again once provisioning has finished.`);
    yield* set('read', 'done', detail.describeReading(reading));

    yield* set('resolve', 'running', detail.describeInspecting(reading));
    const inspectInput: InspectTargetsInput = { targets: reading.targets };
    if (args.subnetId !== undefined) inspectInput.subnetId = args.subnetId;
    const { placement, states }: InspectTargetsOutput = yield* call(Activities.inspectTargets, inspectInput);
    yield* set('resolve', 'done', detail.describeResolved(reading));

    // The plan's 'keep' entries are the usable endpoints from our subnet; 'create' ones are missing.
    const plan = planHardening({ registryId: args.registryId, states, placement, lockdownAcr: true });
    result.missingEndpoints = plan.endpoints.filter((e) => e.action === 'create').map((e) => `no private endpoint (group ${e.groupId}) to ${describeTarget(e.target)} in ${placement.subnetId}`);
    const endpointIds = plan.endpoints.filter((e) => e.action === 'keep').map((e) => e.endpointId);
    yield* set('dns', 'running', detail.describeDnsStart(endpointIds.length));
    const expectations: CollectDnsExpectationsOutput = yield* call(Activities.collectDnsExpectations, { endpointIds });
    const [proof, disc] = yield* callAll([
      { name: Activities.proveDns, input: { expectations } },
      { name: Activities.checkDiscovery, input: { registryId: args.registryId, regions: reading.regions, expectations } },
    ]);
    for (const s of [proof, disc]) if (s !== undefined && !s.ok) throw s.error;
    const checks = (proof?.ok ? proof.value : []) as ProveDnsOutput;
    const discovery = (disc?.ok ? disc.value : { ok: false, regions: [], missingRegions: reading.regions }) as CheckDiscoveryOutput;
    result.checks = checks;
    result.discovery = discovery;
    result.proven = result.missingEndpoints.length === 0 && isDnsProven(checks, discovery);
    if (result.proven) {
      yield* set('dns', 'done', describeDnsProven(checks, discovery));
    } else {
      result.diagnosis = [...result.missingEndpoints, describeDnsFailure(checks, discovery)].filter((l) => l !== '').join('\n');
      const failing = checks.filter((c) => !c.ok).length;
      yield* set('dns', 'failed', `${failing} of ${checks.length} name(s) not private${result.missingEndpoints.length > 0 ? `, ${result.missingEndpoints.length} endpoint(s) missing` : ''}${discovery.missingRegions.length > 0 ? `, discovery misses ${discovery.missingRegions.join(', ')}` : ''}`);
    }
  } catch (error) {
    const coded = codedFailure(error);
    result.error = coded;
    yield* set(runningStep(steps) ?? 'read', 'failed', `[${coded.code}] ${coded.message}`);
    steps = skipPending(steps, 'not reached: the check failed', at());
    yield* progress({ registryId: args.registryId, steps });
    result.diagnosis = `[${coded.code}] ${coded.message}`;
  }
  result.steps = steps;
  return result;
}
