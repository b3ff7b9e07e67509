export interface RequestLogEntry {
  method: string;
  /** path without query */
  path: string;
  status: number;
  time: string;
  /** object id of the caller, or null when the token was missing/invalid */
  principal: string | null;
  apiVersion?: string;
}

export class RequestLog {
  private entries: RequestLogEntry[] = [];

  constructor(private readonly max = 100_000) {}

  add(entry: RequestLogEntry): void {
    this.entries.push(entry);
    if (this.entries.length > this.max) this.entries.splice(0, this.entries.length - this.max);
  }

  list(): RequestLogEntry[] {
    return [...this.entries];
  }

  clear(): void {
    this.entries = [];
  }
}
