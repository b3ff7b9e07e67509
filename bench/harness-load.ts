/**
 * Whether the harness kept up: the simulator, the local Functions host and the app run in this
 * one Node process (one event loop), so a figure in simulated time is the product's only while
 * the process has CPU to spare and its event loop answers on time. Measured over a span: the
 * process's CPU time against the wall clock, the machine's busy share (/proc/stat, other
 * processes included), and the event loop's delay.
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface HarnessLoad {
  wallMs: number;
  /** this process's CPU time ÷ wall time (1 = one core busy all along; the event loop alone cannot use more) */
  processCpuShare: number;
  /** the whole machine's busy share of all its cores over the span (undefined without /proc/stat) */
  machineBusyShare: number | undefined;
  cores: number;
  /** event-loop delay (ms): median, 99th percentile, max */
  loopDelayMs: { p50: number; p99: number; max: number };
}

/** When the harness is said to be saturated (stated with the figure, so the reader can judge). */
export const SATURATION = {
  /** the event loop busy nearly all the time */
  processCpuShare: 0.85,
  /** the event loop late by this much simulated time at the 99th percentile */
  loopDelaySimulatedMs: 1000,
} as const;

function machineTimes(): { busy: number; total: number } | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n').find((l) => l.startsWith('cpu '));
    const v = (line ?? '').trim().split(/\s+/).slice(1).map(Number);
    if (v.length < 5 || v.some((n) => Number.isNaN(n))) return undefined;
    const idle = (v[3] ?? 0) + (v[4] ?? 0);
    const all = v.reduce((a, b) => a + b, 0);
    return { busy: all - idle, total: all };
  } catch {
    return undefined;
  }
}

/** Starts measuring; `stop()` ends the span and says what it saw. */
export function measureHarnessLoad(): { stop(): HarnessLoad } {
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  const machine0 = machineTimes();
  return {
    stop(): HarnessLoad {
      loop.disable();
      const cpu = process.cpuUsage(cpu0);
      const wallMs = performance.now() - wall0;
      const machine1 = machineTimes();
      const ms = (ns: number): number => Math.round(ns / 1e5) / 10;
      return {
        wallMs,
        processCpuShare: wallMs > 0 ? (cpu.user + cpu.system) / 1000 / wallMs : 0,
        machineBusyShare: machine0 && machine1 && machine1.total > machine0.total ? (machine1.busy - machine0.busy) / (machine1.total - machine0.total) : undefined,
        cores: cpus().length,
        loopDelayMs: { p50: ms(loop.percentile(50)), p99: ms(loop.percentile(99)), max: ms(loop.max) },
      };
    },
  };
}

/**
 * Why the harness was saturated at this time scale (empty: it kept up). The machine's busy share
 * is context, not a reason: other processes taking CPU show in the event loop's delay.
 */
export function saturationReasons(load: HarnessLoad, timeScale: number): string[] {
  const reasons: string[] = [];
  if (load.processCpuShare >= SATURATION.processCpuShare) reasons.push(`the process used ${Math.round(load.processCpuShare * 100)}% of a core (≥ ${SATURATION.processCpuShare * 100}%)`);
  const lagSimulated = load.loopDelayMs.p99 / timeScale;
  if (lagSimulated >= SATURATION.loopDelaySimulatedMs) reasons.push(`the event loop's p99 delay was ${load.loopDelayMs.p99} ms, ${Math.round(lagSimulated)} ms of simulated time (≥ ${SATURATION.loopDelaySimulatedMs})`);
  return reasons;
}

export function describeLoad(load: HarnessLoad): string {
  return `process CPU ${Math.round(load.processCpuShare * 100)}% of a core, machine ${load.machineBusyShare === undefined ? 'n/a' : `${Math.round(load.machineBusyShare * 100)}%`} busy (${load.cores} cores), ` +
    `event-loop delay p50 ${load.loopDelayMs.p50} ms, p99 ${load.loopDelayMs.p99} ms, max ${load.loopDelayMs.max} ms`;
}
