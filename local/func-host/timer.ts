/** Timer triggers: NCRONTAB schedules, `runOnStartup`, past-due detection across restarts. */
import fs from 'node:fs';
import path from 'node:path';
import { nativeProcess } from './native';
import { nextOccurrence, parseSchedule, type Schedule } from './ncrontab';
import type { Logger, Registration, RpcParameterBinding } from './types';
import { errorMessage, isRecord } from './types';

export interface TimerStatus {
  last?: string;
  next?: string;
  lastUpdated?: string;
}

type InvokeFn = (reg: Registration, extraInputs: RpcParameterBinding[]) => Promise<unknown>;

export function resolveSetting(value: string, env: NodeJS.ProcessEnv): string {
  const m = /^%([^%]+)%$/.exec(value.trim());
  if (!m) return value;
  const resolved = env[m[1]!];
  if (resolved === undefined) throw new Error(`App setting "${m[1]}" referenced by "${value}" is not set`);
  return resolved;
}

export class TimerScheduler {
  private readonly handles = new Map<string, NodeJS.Timeout>();
  private readonly running = new Set<string>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private status: Record<string, TimerStatus> = {};
  private stopped = false;
  private readonly file: string;

  constructor(
    private readonly registrations: Registration[],
    stateDir: string,
    private readonly invoke: InvokeFn,
    private readonly logger: Logger,
  ) {
    this.file = path.join(stateDir, 'timers.json');
  }

  start(): void {
    try {
      const raw: unknown = fs.existsSync(this.file) ? JSON.parse(fs.readFileSync(this.file, 'utf8')) : {};
      if (isRecord(raw)) this.status = raw as Record<string, TimerStatus>;
    } catch {
      this.status = {};
    }
    for (const reg of this.registrations) {
      let schedule: Schedule;
      try {
        schedule = parseSchedule(resolveSetting(String(reg.trigger.schedule ?? ''), nativeProcess().env));
      } catch (err) {
        this.logger.error(`Timer "${reg.name}" has an invalid schedule: ${errorMessage(err)}`);
        continue;
      }
      const now = new Date();
      const stored = this.status[reg.name];
      const missed = stored?.next !== undefined && new Date(stored.next).getTime() < now.getTime() - 1000 && reg.trigger.useMonitor !== false;
      if (reg.trigger.runOnStartup === true || missed) {
        void this.fire(reg, schedule, missed);
      }
      this.arm(reg, schedule);
    }
  }

  private arm(reg: Registration, schedule: Schedule): void {
    if (this.stopped) return;
    const next = nextOccurrence(schedule, new Date());
    this.update(reg.name, { next: next.toISOString() });
    const delay = Math.min(next.getTime() - Date.now(), 2 ** 31 - 1);
    const handle = setTimeout(() => {
      if (Date.now() + 5 < next.getTime()) {
        this.arm(reg, schedule);
        return;
      }
      void this.fire(reg, schedule, Date.now() - next.getTime() > 60_000);
      this.arm(reg, schedule);
    }, Math.max(0, delay));
    handle.unref();
    this.handles.set(reg.name, handle);
  }

  private async fire(reg: Registration, schedule: Schedule, isPastDue: boolean): Promise<void> {
    if (this.stopped || this.running.has(reg.name)) return;
    this.running.add(reg.name);
    const previous = this.status[reg.name];
    const now = new Date();
    const timerInfo = {
      Schedule: { AdjustForDST: true },
      ScheduleStatus: {
        Last: previous?.last ?? new Date(0).toISOString(),
        Next: nextOccurrence(schedule, now).toISOString(),
        LastUpdated: previous?.lastUpdated ?? now.toISOString(),
      },
      IsPastDue: isPastDue,
    };
    const p = this.invoke(reg, [{ name: reg.triggerName, data: { json: JSON.stringify(timerInfo) } }])
      .then(() => this.logger.debug(`Timer "${reg.name}" ran`))
      .catch((err: unknown) => this.logger.error(`Timer "${reg.name}" failed: ${errorMessage(err)}`))
      .finally(() => {
        this.running.delete(reg.name);
        if (!this.stopped) this.update(reg.name, { last: now.toISOString(), lastUpdated: new Date().toISOString() });
      });
    this.inFlight.add(p);
    await p;
    this.inFlight.delete(p);
  }

  private update(name: string, patch: TimerStatus): void {
    this.status[name] = { ...this.status[name], ...patch };
    try {
      const tmp = `${this.file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify(this.status, null, 2));
      fs.renameSync(tmp, this.file);
    } catch (err) {
      this.logger.warn(`Could not persist timer status: ${errorMessage(err)}`);
    }
  }

  async stop(abrupt: boolean): Promise<void> {
    this.stopped = true;
    for (const h of this.handles.values()) clearTimeout(h);
    this.handles.clear();
    if (!abrupt) await Promise.allSettled([...this.inFlight]);
  }
}
