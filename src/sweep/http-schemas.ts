/** The sweep routes' schemas (validation and the OpenAPI document). */
import { z } from 'zod';
import { SWEEP_RESULTS } from './domain/sweep';

export const sweepQuery = z.object({
  mode: z.enum(['apply', 'plan'], { error: () => "must be 'apply' or 'plan'" }).optional()
    .describe("'plan' reports compliance only; 'apply' (default) also starts the hardening run of every non-compliant registry."),
});

const codedFailureSchema = z.object({ code: z.string(), message: z.string() });

export const sweepAcceptedSchema = z.object({
  instanceId: z.string(),
  mode: z.enum(['apply', 'plan']),
  subscriptionIds: z.array(z.string()).describe('The subscriptions the sweep covers (TARGET_SUBSCRIPTION_IDS).'),
  managementGroupId: z.string().optional().describe('TARGET_MANAGEMENT_GROUP: its subscriptions are listed when the sweep runs and covered too.'),
  statusUrl: z.string().describe('GET this for the progress and, once done, the report (also in the Location header).'),
  previousRuntimeStatus: z.string().optional().describe('Set when a finished sweep was replaced.'),
});

export const sweepReportSchema = z.object({
  mode: z.enum(['apply', 'plan']),
  trigger: z.string(),
  startedAt: z.string(),
  endedAt: z.string(),
  managementGroups: z.array(z.object({ managementGroupId: z.string(), ok: z.boolean(), subscriptions: z.number(), error: codedFailureSchema.optional() }))
    .optional().describe('With TARGET_MANAGEMENT_GROUP: the subscriptions found under it, or failed with the reason (the named subscriptions still go on).'),
  subscriptions: z.array(z.object({ subscriptionId: z.string(), ok: z.boolean(), registries: z.number(), error: codedFailureSchema.optional() }))
    .describe('Per subscription: listed, or failed with the reason (the others go on).'),
  registries: z.array(z.object({
    registryId: z.string(),
    subscriptionId: z.string(),
    result: z.enum(SWEEP_RESULTS as [string, ...string[]]),
    detail: z.string(),
    writes: z.number().optional(),
    instanceId: z.string().optional().describe('The hardening run (started / running).'),
    error: codedFailureSchema.optional(),
  })).describe('Per registry: compliant, nonCompliant (plan mode), started, running (a run was going on), exempt, skipped, failed.'),
  totals: z.record(z.string(), z.number()),
  failures: z.number().describe('Failed management groups, subscriptions and registries.'),
});

export const sweepStatusSchema = z.object({
  instanceId: z.string(),
  runtimeStatus: z.string(),
  progress: z.unknown().nullable().describe('{ phase, mode, subscriptions, registries, planned, started, waitingUntil? } while it runs.'),
  report: sweepReportSchema.nullable().describe('The report once the sweep has completed.'),
  error: z.string().optional().describe('Why the sweep failed, when it did.'),
  createdTime: z.string(),
  lastUpdatedTime: z.string(),
});
export type SweepStatusView = z.output<typeof sweepStatusSchema>;
