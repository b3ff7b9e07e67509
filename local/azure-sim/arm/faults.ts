import { randomUUID } from 'node:crypto';

/**
 * Fault injection: the next `count` ARM calls matching method + path pattern get a fault.
 * - respond: answer `status` (default 500) with `body` (default an ARM error) and `headers`
 * - conflict: 409 AnotherOperationInProgress
 * - lroFail: the request is accepted but its long-running operation ends Failed
 * - hang: never answer (the client's timeout fires; the socket closes when the sim stops)
 * - reset: destroy the connection
 */
export type FaultKind = 'respond' | 'lroFail' | 'hang' | 'reset' | 'conflict';

export interface FaultSpec {
  method?: string;
  pathPattern: string;
  count?: number;
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  kind?: FaultKind;
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
}

const KINDS: readonly FaultKind[] = ['respond', 'lroFail', 'hang', 'reset', 'conflict'];

export class FaultInjector {
  private rules: FaultRule[] = [];

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
    };
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
    return this.rules.length < before;
  }

  list(): FaultRule[] {
    return [...this.rules];
  }

  clear(): void {
    this.rules = [];
  }
}
