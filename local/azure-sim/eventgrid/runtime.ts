/**
 * The clock and lifecycle every part of the local Event Grid shares: time scaling, timers
 * that are all cancelled on stop (and never fire after it), and the stopped flag.
 */
export interface Runtime {
  readonly stopped: boolean;
  /** a real-world duration in the simulator's time (1000 = 1000× faster) */
  scaled(ms: number): number;
  /** runs `fn` after `ms` unless stopped by then */
  later(ms: number, fn: () => void): NodeJS.Timeout;
  cancel(timer: NodeJS.Timeout): void;
  /** marks stopped and clears every pending timer */
  stop(): void;
}

export function createRuntime(timeScale: number): Runtime {
  const scale = timeScale > 0 ? timeScale : 1;
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;
  return {
    get stopped() {
      return stopped;
    },
    scaled: (ms) => ms / scale,
    later(ms, fn) {
      const t = setTimeout(() => {
        timers.delete(t);
        if (!stopped) fn();
      }, ms);
      timers.add(t);
      return t;
    },
    cancel(t) {
      clearTimeout(t);
      timers.delete(t);
    },
    stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}
