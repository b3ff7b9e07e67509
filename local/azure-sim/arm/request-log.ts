export interface RequestLogEntry {
  method: string;
  /** path without query */
  path: string;
  status: number;
  time: string;
  /** object id of the caller, or null when the token was missing/invalid */
  principal: string | null;
  apiVersion?: string;
  /** the action ARM authorized the request against (routed ARM requests only), e.g. Microsoft.Network/privateEndpoints/write */
  action?: string;
  /** the linked actions checked for references in the body (e.g. Microsoft.Network/virtualNetworks/subnets/join/action) */
  linkedActions?: string[];
  /** the checks the caller's role assignment did not cover (the request was answered 403) */
  denied?: string[];
  /** a 429's origin: ARM's bucket, or a resource provider's own limit (arm/throttle.ts) */
  throttledBy?: 'arm' | 'network' | 'dns';
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
