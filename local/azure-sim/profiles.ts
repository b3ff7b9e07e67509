/**
 * Profiles of Azure behaviour where the simulator must choose (issue 14; evidence in
 * ../shared/design/azure-facts.md §9 and local/azure-sim/README.md, "Profiles"). A profile is a
 * typed set of flags; providers read `state.profile.flags.<flag>` and never the profile's name.
 *
 * Adding a switch: one line in STRICT (the default: what the evidence says Azure does, the
 * strictest plausible choice where it is uncertain), plus a line in each profile that differs.
 * Durations are simulated milliseconds: the reader multiplies them by the time scale.
 */
export interface ProfileFlags {
  /** writes and actions inside a registry's managed resource group are refused (403 DenyAssignmentAuthorizationFailed) unless the caller is in the registry's assignedIdentities */
  managedRgDenyAssignment: boolean;
  /** how long after the registry PUT completes an identity added to assignedIdentities is exempt (removal is immediate) */
  assignedIdentityPropagationMs: number;
  /** the ML service applies the registry's publicNetworkAccess to its storage accounts and ACR itself */
  servicePropagatesPublicAccess: boolean;
  /** how long after the registry PUT completes the service applies it (keep it below assignedIdentityPropagationMs) */
  servicePropagationMs: number;
  /** a registry created with 202 answers 404 until its creation completes */
  registryNotFoundUntilCreated: boolean;
  /** after the creation completed (and its event was sent), GETs of the new registry still answer 404 for this long */
  registryReadLagMs: number;
  /** a role assignment's added actions take effect this long after it was set (removed ones at once) */
  roleAssignmentDelayMs: number;
}

export const PROFILE_NAMES = ['strict', 'propagating', 'eventual', 'lenient'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

const STRICT: Readonly<ProfileFlags> = Object.freeze({
  managedRgDenyAssignment: true,
  assignedIdentityPropagationMs: 300_000,
  servicePropagatesPublicAccess: false,
  servicePropagationMs: 0,
  registryNotFoundUntilCreated: false,
  registryReadLagMs: 0,
  roleAssignmentDelayMs: 0,
});

export const PROFILES: Readonly<Record<ProfileName, { summary: string; flags: Readonly<ProfileFlags> }>> = Object.freeze({
  strict: { summary: 'the default: the managed resource group behind its deny assignment', flags: STRICT },
  propagating: {
    summary: 'strict, and the ML service applies the registry\'s publicNetworkAccess to its storage and ACR after a delay',
    flags: { ...STRICT, servicePropagatesPublicAccess: true, servicePropagationMs: 20_000 },
  },
  eventual: {
    summary: 'strict, and a new registry answers 404 until (and shortly after) its creation completes; role assignments take effect after a delay',
    flags: { ...STRICT, registryNotFoundUntilCreated: true, registryReadLagMs: 120_000, roleAssignmentDelayMs: 120_000 },
  },
  lenient: {
    summary: 'the simulator before issue 14: storage/ACR PATCH and connection approvals in the managed group are allowed',
    flags: { ...STRICT, managedRgDenyAssignment: false, assignedIdentityPropagationMs: 0 },
  },
});

export function isProfileName(v: unknown): v is ProfileName {
  return typeof v === 'string' && (PROFILE_NAMES as readonly string[]).includes(v);
}

/** The profile in force; switchable at run time through the admin API (`PUT /profile`). */
export class SimProfile {
  private current: ProfileName;

  constructor(name: ProfileName = 'strict') {
    this.current = name;
  }

  get name(): ProfileName {
    return this.current;
  }

  get flags(): Readonly<ProfileFlags> {
    return PROFILES[this.current].flags;
  }

  set(name: ProfileName): void {
    this.current = name;
  }

  describe(): { name: ProfileName; summary: string; flags: Readonly<ProfileFlags>; available: ProfileName[] } {
    return { name: this.current, summary: PROFILES[this.current].summary, flags: this.flags, available: [...PROFILE_NAMES] };
  }
}

/** `SIM_PROFILE` (or undefined when unset); an unknown name is an error, not a silent default. */
export function profileFromEnv(value: string | undefined): ProfileName | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const v = value.trim().toLowerCase();
  if (!isProfileName(v)) throw new Error(`SIM_PROFILE='${value}' is not a simulator profile (one of ${PROFILE_NAMES.join(', ')})`);
  return v;
}
