import { randomUUID } from 'node:crypto';

/**
 * Fault injection: the next `count` ARM calls matching method + path pattern get a fault.
 * - respond: answer `status` (default 500) with `body` (default an ARM error) and `headers`
 * - conflict: 409 AnotherOperationInProgress
 * - lroFail: the request is accepted but its long-running operation ends Failed
 * - hang: never answer (the client's timeout fires; the socket closes when the sim stops)
 * - reset: destroy the connection
 * - slow: answer as usual, but only after `delayMs` (real ms); the request takes effect even when
 *   the client gave up meanwhile (as in Azure: a write that timed out on the client may have happened)
 * - lroStall: the request is accepted but its long-running operation stays InProgress (so further
 *   writes on the resource get 409 AnotherOperationInProgress) until the fault is removed
 *   (DELETE /faults/{id} or /faults), then it runs its course
 */
export type FaultKind = 'respond' | 'lroFail' | 'hang' | 'reset' | 'conflict' | 'slow' | 'lroStall';

export interface FaultSpec {
  method?: string;
  pathPattern: string;
  count?: number;
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  kind?: FaultKind;
  /** slow: how long the answer is held back (real ms, default 5000) */
  delayMs?: number;
}

export interface FaultRule {
  id: string;
  method?: string;
  pathPattern: string;
  regex: RegExp;
  remaining: number;
  kind: FaultKind;
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  delayMs?: number;
  /** lroStall: settles when the rule is removed */
  released?: Promise<void>;
}

const KINDS: readonly FaultKind[] = ['respond', 'lroFail', 'hang', 'reset', 'conflict', 'slow', 'lroStall'];

export class FaultInjector {
  private rules: FaultRule[] = [];
  /** lroStall rules (used up or not) whose operations wait until the rule is removed */
  private readonly stalls = new Map<string, () => void>();

  add(spec: FaultSpec): FaultRule {
    if (typeof spec.pathPattern !== 'string' || spec.pathPattern === '') throw new Error('pathPattern (a regular expression) is required');
    const kind = spec.kind ?? 'respond';
    if (!KINDS.includes(kind)) throw new Error(`kind must be one of ${KINDS.join(', ')}`);
    const rule: FaultRule = {
      id: randomUUID(),
      ...(spec.method ? { method: spec.method.toUpperCase() } : {}),
      pathPattern: spec.pathPattern,
      regex: new RegExp(spec.pathPattern, 'i'),
      remaining: spec.count ?? 1,
      kind,
      ...(spec.status !== undefined ? { status: spec.status } : {}),
      ...(spec.body !== undefined ? { body: spec.body } : {}),
      ...(spec.headers ? { headers: spec.headers } : {}),
      ...(spec.delayMs !== undefined ? { delayMs: spec.delayMs } : {}),
    };
    if (kind === 'lroStall') rule.released = new Promise<void>((resolve) => this.stalls.set(rule.id, resolve));
    this.rules.push(rule);
    return rule;
  }

  /** Finds and consumes one matching rule. */
  take(method: string, path: string): FaultRule | undefined {
    const rule = this.rules.find((r) => r.remaining > 0 && (!r.method || r.method === method.toUpperCase()) && r.regex.test(path));
    if (!rule) return undefined;
    rule.remaining -= 1;
    if (rule.remaining <= 0) this.rules = this.rules.filter((r) => r !== rule);
    return rule;
  }

  /** Removes one rule by id; false when it is gone (used up or never there). */
  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.id !== id);
    const stalled = this.release(id);
    return this.rules.length < before || stalled;
  }

  private release(id: string): boolean {
    const resolve = this.stalls.get(id);
    this.stalls.delete(id);
    resolve?.();
    return resolve !== undefined;
  }

  list(): FaultRule[] {
    return [...this.rules];
  }

  clear(): void {
    this.rules = [];
    for (const id of [...this.stalls.keys()]) this.release(id);
  }
}
