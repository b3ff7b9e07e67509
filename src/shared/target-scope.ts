import type { ManagementGroupsPort } from './ports';

/**
 * The target scope (issue 15 item 3): the subscriptions the app acts in — TARGET_SUBSCRIPTION_IDS
 * plus every subscription under TARGET_MANAGEMENT_GROUP. Every HTTP request that names a
 * subscription (a path parameter or an ARM id anywhere in the request), every registry event and
 * the first activity of every hardening run are checked against it before any ARM call; nothing
 * configured is an empty scope, which refuses everything.
 *
 * The group's members are listed when first needed and kept for `ttlMs` (one listing at a time):
 * a subscription moved under the group is in scope within that time. A group that cannot be
 * listed is the listing's coded error (the caller answers it), never "in scope".
 */
export interface TargetScopeSettings {
  subscriptionIds: readonly string[];
  managementGroupId?: string | undefined;
}

/** The management group's members are listed again after this long. */
export const SCOPE_MEMBERS_TTL_MS = 5 * 60_000;

const SUBSCRIPTION_PREFIX = /^\/subscriptions\/([^/?#]+)/i;

/** The subscription an ARM id (or any `/subscriptions/{id}…` path) names, lower case; undefined for anything else. */
export function subscriptionOf(armPath: string): string | undefined {
  return SUBSCRIPTION_PREFIX.exec(armPath.trim())?.[1]?.toLowerCase();
}

export class TargetScope {
  private readonly named: ReadonlySet<string>;
  private members: { ids: ReadonlySet<string>; at: number } | undefined;
  private listing: Promise<ReadonlySet<string>> | undefined;

  constructor(
    private readonly settings: TargetScopeSettings,
    private readonly groups: ManagementGroupsPort,
    private readonly nowMs: () => number = Date.now,
    private readonly ttlMs: number = SCOPE_MEMBERS_TTL_MS,
  ) {
    this.named = new Set(settings.subscriptionIds.map((s) => s.trim().toLowerCase()).filter((s) => s.length > 0));
  }

  /** Whether anything is configured at all (nothing: every subscription is outside). */
  get configured(): boolean {
    return this.named.size > 0 || this.settings.managementGroupId !== undefined;
  }

  /** What the scope is made of, for messages: the settings' names, never the ids. */
  describe(): string {
    if (!this.configured) return 'no target subscriptions are configured (TARGET_SUBSCRIPTION_IDS, TARGET_MANAGEMENT_GROUP)';
    const parts = [`${this.named.size} subscription(s) in TARGET_SUBSCRIPTION_IDS`];
    if (this.settings.managementGroupId !== undefined) parts.push(`those under management group ${this.settings.managementGroupId} (TARGET_MANAGEMENT_GROUP)`);
    return parts.join(' and ');
  }

  async contains(subscriptionId: string): Promise<boolean> {
    return (await this.outside([subscriptionId])).length === 0;
  }

  /** The subscriptions among `subscriptionIds` outside the scope (lower case, each once); [] when all are in it. */
  async outside(subscriptionIds: readonly string[]): Promise<string[]> {
    const wanted = [...new Set(subscriptionIds.map((s) => s.trim().toLowerCase()))];
    const notNamed = wanted.filter((s) => !this.named.has(s));
    if (notNamed.length === 0 || this.settings.managementGroupId === undefined) return notNamed;
    const members = await this.groupMembers(this.settings.managementGroupId);
    return notNamed.filter((s) => !members.has(s));
  }

  private async groupMembers(groupId: string): Promise<ReadonlySet<string>> {
    const cached = this.members;
    if (cached !== undefined && this.nowMs() - cached.at < this.ttlMs) return cached.ids;
    this.listing ??= this.groups
      .listSubscriptions(groupId)
      .then((ids) => {
        const set: ReadonlySet<string> = new Set(ids.map((s) => s.toLowerCase()));
        this.members = { ids: set, at: this.nowMs() };
        return set;
      })
      .finally(() => {
        this.listing = undefined;
      });
    return this.listing;
  }
}
