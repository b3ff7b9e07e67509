import { SweepActivities } from '../../shared/names';
import type { RetrySpec } from '../../shared/workflow';

/** The sweep's activities return failures as values; these policies cover a crashed worker or a host restart. */
const policy = (firstRetryIntervalMs: number, maxAttempts: number): RetrySpec => ({ firstRetryIntervalMs, maxAttempts, backoffCoefficient: 2, maxRetryIntervalMs: 60_000, retryTimeoutMs: 10 * 60_000 });

export type SweepActivityName = (typeof SweepActivities)[keyof typeof SweepActivities];

export const SWEEP_RETRY: Readonly<Record<SweepActivityName, RetrySpec>> = {
  [SweepActivities.listManagementGroupSubscriptions]: policy(5_000, 3),
  [SweepActivities.listRegistries]: policy(5_000, 3),
  [SweepActivities.planRegistry]: policy(5_000, 3),
  [SweepActivities.startHardeningRun]: policy(5_000, 3),
};
