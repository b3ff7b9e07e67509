/** Engine clock: runs 1/timeScale times faster than the wall clock and never goes backwards. */
export class EngineClock {
  private base = Date.now();
  private readonly realStart = Date.now();
  private last = 0;

  constructor(private readonly timeScale: number) {}

  advanceTo(ms: number): void {
    if (ms > this.base) this.base = ms;
  }

  now(): Date {
    const t = Math.floor(this.base + (Date.now() - this.realStart) / this.timeScale);
    this.last = Math.max(this.last, t);
    return new Date(this.last);
  }

  /** Real milliseconds until the engine clock reaches `at`. */
  realDelayUntil(at: Date): number {
    return Math.max(0, (at.getTime() - this.now().getTime()) * this.timeScale);
  }
}
