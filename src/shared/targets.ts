/**
 * The target subscriptions (issue 8 part 6), one rule for the sweep and the fleet reports:
 * TARGET_SUBSCRIPTION_IDS, plus every subscription under TARGET_MANAGEMENT_GROUP (listed at each
 * use, merged, each once); an explicit list (`--subscriptions`) replaces both. A group that
 * cannot be listed is a failed line; the named subscriptions still go on.
 */
import { mapBounded } from './bounded';
import { codedFailure, type CodedFailure } from './errors';
import { ErrorCodes } from './error-codes';

/** What is configured (or named on the command line): resolved against the group when used. */
export interface TargetSubscriptions {
  subscriptionIds: string[];
  /** a management group whose subscriptions are covered too (listed when used) */
  managementGroupId?: string;
}

/** The management group line of a report: how many subscriptions it gave, or why it could not be listed. */
export interface ManagementGroupLine {
  managementGroupId: string;
  ok: boolean;
  subscriptions: number;
  error?: CodedFailure;
}

/** listManagementGroupSubscriptions: the subscription ids under a management group (every page). */
export type ListManagementGroupOutput = { ok: true; subscriptionIds: string[] } | { ok: false; error: CodedFailure };

export interface ResolvedTargets {
  subscriptionIds: string[];
  /** present when a management group was configured */
  managementGroups?: ManagementGroupLine[];
}

/**
 * The settings' targets, or the explicit list that replaces them (settings: TARGET_SUBSCRIPTION_IDS
 * and TARGET_MANAGEMENT_GROUP; an override names the whole list and skips the group).
 */
export function targetsFrom(settings: { subscriptionIds: readonly string[]; managementGroupId?: string | undefined }, override?: readonly string[]): TargetSubscriptions {
  if (override !== undefined) return { subscriptionIds: [...override] };
  return { subscriptionIds: [...settings.subscriptionIds], ...(settings.managementGroupId !== undefined ? { managementGroupId: settings.managementGroupId } : {}) };
}

/**
 * The subscriptions covered: the named ones first, then those listed under the management group,
 * each once (ids compared case-insensitively, lower case out).
 */
export function mergeSubscriptionIds(named: readonly string[], fromGroup: readonly string[] = []): string[] {
  return [...new Set([...named, ...fromGroup].map((s) => s.trim().toLowerCase()).filter((s) => s.length > 0))];
}

/** The targets after the group was listed (`group` undefined: no group configured). */
export function resolveTargets(targets: TargetSubscriptions, group?: ListManagementGroupOutput): ResolvedTargets {
  const named = mergeSubscriptionIds(targets.subscriptionIds);
  if (targets.managementGroupId === undefined) return { subscriptionIds: named };
  const managementGroupId = targets.managementGroupId;
  const result: ListManagementGroupOutput = group ?? { ok: false, error: { code: ErrorCodes.HARDEN_UNEXPECTED, message: 'the management group was not listed' } };
  if (!result.ok) return { subscriptionIds: named, managementGroups: [{ managementGroupId, ok: false, subscriptions: 0, error: result.error }] };
  return { subscriptionIds: mergeSubscriptionIds(targets.subscriptionIds, result.subscriptionIds), managementGroups: [{ managementGroupId, ok: true, subscriptions: result.subscriptionIds.length }] };
}

/** Whether anything is targeted: a subscription named, or a management group. */
export function hasTargets(targets: TargetSubscriptions): boolean {
  return targets.subscriptionIds.length > 0 || targets.managementGroupId !== undefined;
}

/** A subscription's line of a report: how many `K` (registries, workspaces) it listed, or why it could not be listed. */
export type SubscriptionLine<K extends string> = { subscriptionId: string; ok: boolean; error?: CodedFailure } & { [P in K]: number };

/**
 * Lists what each subscription holds, at most `concurrency` subscriptions at once: a line per
 * subscription, in their order, and everything listed. A subscription that cannot be listed is a
 * failed line (its error cut to `maxErrorLength`); the others are still listed.
 */
export async function listEachSubscription<T, K extends string>(
  args: { subscriptionIds: readonly string[]; concurrency: number; counted: K; maxErrorLength?: number },
  list: (subscriptionId: string) => Promise<readonly T[]>,
): Promise<{ subscriptions: Array<SubscriptionLine<K>>; items: T[] }> {
  const listed = await mapBounded(args.subscriptionIds, args.concurrency, async (subscriptionId) => {
    try {
      const items = await list(subscriptionId);
      return { line: { subscriptionId, ok: true, [args.counted]: items.length } as SubscriptionLine<K>, items };
    } catch (e) {
      return { line: { subscriptionId, ok: false, [args.counted]: 0, error: codedFailure(e, args.maxErrorLength) } as SubscriptionLine<K>, items: [] };
    }
  });
  return { subscriptions: listed.map((l) => l.line), items: listed.flatMap((l) => l.items) };
}
