/**
 * Management groups (issue 8 part 6): the subscriptions under a group, for the sweep. The
 * adapter is src/azure/management-groups.adapter.ts.
 */

/** A management group id: 1-90 characters, letters, digits, `-`, `_`, `(`, `)`, `.` (not ending in `.`). */
export const MANAGEMENT_GROUP_ID_RULE = /^[A-Za-z0-9_().-]{0,89}[A-Za-z0-9_()-]$/;

export interface ManagementGroupsPort {
  /**
   * The subscription ids (lower case, each once) anywhere under the group (every page of
   * `descendants`). Throws a coded LockdownError when the group cannot be read (403, 404).
   */
  listSubscriptions(groupId: string): Promise<string[]>;
}
