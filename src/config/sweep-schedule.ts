import { ErrorCodes, LockdownError } from '../shared/errors';
import { SETTINGS } from './settings';

/**
 * The sweep timer's schedule, read when the app's modules load. Function registrations are
 * static (the host indexes them once at start), and the v4 programming model takes the schedule
 * as a value, so the timer is registered only when SWEEP_SCHEDULE is set: changing the setting
 * restarts the app in Azure, which registers again. Only this one setting is read here, so a
 * problem with another setting still surfaces where it is used, not at indexing.
 */
export function sweepScheduleFrom(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const raw = env[SETTINGS.SWEEP_SCHEDULE.name]?.trim();
  if (raw === undefined || raw === '') return undefined;
  const parsed = SETTINGS.SWEEP_SCHEDULE.schema.safeParse(raw);
  if (!parsed.success) {
    throw new LockdownError(ErrorCodes.CONFIG_INVALID, `Invalid settings:\n- SWEEP_SCHEDULE is malformed (${parsed.error.issues.map((i) => i.message).join('; ')}). Example: ${SETTINGS.SWEEP_SCHEDULE.example}`);
  }
  return parsed.data;
}

export function sweepSchedule(): string | undefined {
  return sweepScheduleFrom(process.env);
}
