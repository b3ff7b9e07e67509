/**
 * The sandbox's console (local/sandbox.ts): the demo run's step block and, above it, one line per
 * registry write event the app received, with what it decided — read from the event trigger's
 * log line (src/hardening/on-registry-write.ts) through the host's logger.
 */
import type { Logger, OrchestrationStatus } from './func-host';

interface Step { step: string; state: string; detail?: string; startedAt?: string; endedAt?: string }

const ICON: Record<string, string> = { pending: '·', running: '…', done: '✔', skipped: '–', failed: '✘' };

/**
 * The console: the run's step block (redrawn in place on a terminal; piped, each changed line
 * once) and, above it, one line per event the app received.
 */
export class Console {
  private last = '';

  constructor(private readonly tty: boolean) {}

  render(status: OrchestrationStatus | undefined): void {
    const custom = status?.customStatus as { steps?: Step[] } | undefined;
    const lines = [`run ${status?.instanceId ?? '(waiting for the creation event)'}: ${status?.runtimeStatus ?? 'Pending'}`];
    for (const s of custom?.steps ?? []) {
      const ms = s.startedAt && s.endedAt ? ` (${Date.parse(s.endedAt) - Date.parse(s.startedAt)} ms)` : '';
      lines.push(`  ${ICON[s.state] ?? '?'} ${s.step.padEnd(10)} ${s.state.padEnd(8)} ${s.detail ?? ''}${ms}`);
    }
    const text = lines.join('\n');
    if (text === this.last) return;
    if (this.tty) {
      this.erase();
      process.stdout.write(`${text}\n`);
    } else {
      // piped (a log, CI): only the lines that changed, each once
      const before = new Set(this.last.split('\n'));
      process.stdout.write(lines.filter((l) => !before.has(l)).map((l) => `${l}\n`).join(''));
    }
    this.last = text;
  }

  /** A line above the block (which is redrawn under it on a terminal). */
  line(text: string, stream: NodeJS.WriteStream = process.stdout): void {
    if (!this.tty || this.last === '') {
      stream.write(`${text}\n`);
      return;
    }
    this.erase();
    stream.write(`${text}\n`);
    process.stdout.write(`${this.last}\n`);
  }

  /** The block is done: what follows is printed under it. */
  release(): void {
    this.last = '';
  }

  private erase(): void {
    if (this.tty && this.last !== '') process.stdout.write(`\x1b[${this.last.split('\n').length}A\x1b[J`);
  }
}

const REGISTRY_ID = /\/subscriptions\/[^/\s]+\/resourceGroups\/[^/\s]+\/providers\/Microsoft\.MachineLearningServices\/registries\/[^\s:),"]+/i;

/** What the app decided about one delivered event, from its log line (src/hardening/on-registry-write.ts), as one console line. */
export function eventLine(message: string): string | undefined {
  const registry = REGISTRY_ID.exec(message)?.[0];
  const name = registry ? `${registry.split('/').pop() ?? ''} (subscription ${registry.split('/')[2] ?? '?'})` : 'an event';
  if (message.startsWith('{')) {
    try {
      const m = JSON.parse(message) as { registryId?: string; instanceId?: string; action?: string };
      const id = m.registryId ?? '';
      return `event: ${id.split('/').pop() ?? ''} (subscription ${id.split('/')[2] ?? '?'}) written → ${m.action ?? '?'}${m.instanceId ? ` (run ${m.instanceId})` : ''}`;
    } catch {
      return undefined;
    }
  }
  const ignored = /^ignored event \(acknowledged, no run started\): (.*)$/.exec(message);
  if (ignored) {
    const why = ignored[1] ?? '';
    if (/^written by the app itself/.test(why)) return `event: ${name} written by the app itself → ignored (its own write)`;
    if (/outside the app's target scope/.test(why)) return `event: ${name} written → ignored: outside the target scope`;
    return `event: ${name} → ignored: ${why}`;
  }
  const malformed = /^rejected malformed event \(no run started\): (.*)$/.exec(message);
  if (malformed) return `event: malformed → rejected: ${malformed[1] ?? ''}`;
  return undefined;
}

/** The host's log: the event trigger's decisions as console lines, warnings and errors to stderr (the host's default). */
export function hostLogger(out: Console): Logger {
  const trigger = (message: string): string | undefined => {
    const m = /^onRegistryWrite \[[^\]]*\] (.*)$/s.exec(message);
    return m ? eventLine(m[1] ?? '') : undefined;
  };
  return {
    debug: () => undefined,
    info: (m) => {
      const line = trigger(m);
      if (line) out.line(line);
    },
    warn: (m) => {
      const line = trigger(m);
      out.line(line ?? `[func-host] warn ${m}`, line ? process.stdout : process.stderr);
    },
    error: (m) => {
      const line = trigger(m);
      out.line(line ?? `[func-host] error ${m}`, line ? process.stdout : process.stderr);
    },
  };
}


const ENDED = new Set(['Completed', 'Failed', 'Terminated']);

/**
 * One line per hardening run that ended since the last look (the demo run's block shows its own):
 * the registry, the outcome and its error code if any. `seen` keeps what was printed.
 */
export function endedRunLines(items: readonly OrchestrationStatus[], seen: Set<string>): string[] {
  const lines: string[] = [];
  for (const s of items) {
    if (s.name !== 'hardenRegistry' || !ENDED.has(s.runtimeStatus)) continue;
    const marker = `${s.instanceId} ${s.createdTime} ${s.runtimeStatus}`;
    if (seen.has(marker)) continue;
    seen.add(marker);
    const input = (s.input ?? {}) as { registryId?: string; mode?: string };
    const output = (s.output ?? {}) as { kind?: string; error?: { code?: string } };
    const name = input.registryId?.split('/').pop() ?? s.instanceId;
    const what = s.runtimeStatus === 'Completed' ? (output.kind ?? 'Completed') : s.runtimeStatus;
    lines.push(`run:   ${name}${input.mode === 'plan' ? ' (plan)' : ''} → ${what}${output.error?.code ? ` (${output.error.code})` : ''} (run ${s.instanceId})`);
  }
  return lines;
}
