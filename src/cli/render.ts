import { describeDiscoveryHost, describeDnsCheck } from '../hardening/domain/dns-expectations';
import type { DnsCheck, DiscoveryCheck, Outcome, StepStatus } from '../hardening/domain/hardening';
import type { DiscoveryDocument } from '../hardening/domain/ports';
import type { VerifyDnsResult } from '../hardening/harden.in-process';

/** The human output of the CLI: a live step display and the summaries. */
export interface Output {
  write(text: string): void;
  readonly isTTY: boolean;
}

const ICON: Readonly<Record<string, string>> = { pending: '·', running: '…', done: '✔', skipped: '–', failed: '✘' };

export function stepLine(s: StepStatus): string {
  const ms = s.startedAt && s.endedAt ? ` (${Date.parse(s.endedAt) - Date.parse(s.startedAt)} ms)` : '';
  return `  ${ICON[s.state] ?? '?'} ${s.step.padEnd(10)} ${s.state.padEnd(8)} ${s.detail}${s.state === 'running' ? '' : ms}`;
}

/**
 * Progress as the steps change. On a terminal the block is redrawn in place (like the sandbox);
 * elsewhere (pipes, CI logs) one line is printed per step change, never the same line twice.
 */
export class ProgressDisplay {
  private lastBlock = '';
  private readonly printed = new Map<string, string>();
  private titled = false;

  constructor(
    private readonly out: Output,
    private readonly title: string,
  ) {}

  update(steps: readonly StepStatus[]): void {
    if (this.out.isTTY) {
      const block = [this.title, ...steps.map(stepLine)].join('\n');
      if (block === this.lastBlock) return;
      if (this.lastBlock !== '') this.out.write(`\x1b[${this.lastBlock.split('\n').length}A\x1b[J`);
      this.out.write(`${block}\n`);
      this.lastBlock = block;
      return;
    }
    if (!this.titled) {
      this.out.write(`${this.title}\n`);
      this.titled = true;
    }
    for (const s of steps) {
      if (s.state === 'pending') continue;
      const line = stepLine(s);
      if (this.printed.get(s.step) === line) continue;
      this.printed.set(s.step, line);
      this.out.write(`${line}\n`);
    }
  }
}

function dnsLines(checks: readonly DnsCheck[]): string[] {
  if (checks.length === 0) return [];
  const width = Math.min(72, Math.max(...checks.map((c) => c.fqdn.length)));
  return ['', '  DNS proof', ...checks.map((c) => `    ${c.ok ? '✔' : '✘'} ${c.fqdn.padEnd(width)}  ${c.answered.join(',') || '(nothing)'}  expected ${c.expectedIp}${c.ok ? '' : `  — ${describeDnsCheck(c)}`}`)];
}

function discoveryLine(d: DiscoveryCheck | undefined): string[] {
  if (d === undefined) return [];
  const missing = d.missingRegions.length > 0 ? ` (missing ${d.missingRegions.join(', ')})` : '';
  const hosts = (d.hosts ?? []).map((h) => `    ${h.ok ? '✔' : '✘'} ${h.region.padEnd(16)} ${h.fqdn || h.uri}  ${h.answered.join(',') || '(nothing)'}${h.ok ? '' : `  — ${describeDiscoveryHost(h)}`}`);
  return [`  discovery registryFqdns: ${d.regions.join(', ') || 'none'}${missing}${d.error ? ` — ${d.error}` : ''}`, ...hosts];
}

export function outcomeSummary(outcome: Outcome): string {
  const out: string[] = ['', `Outcome: ${outcome.kind} (${outcome.mode}) ${outcome.registryId}`];
  for (const c of outcome.changes) out.push(`  ${outcome.mode === 'plan' ? 'to change' : 'changed  '} ${c}`);
  for (const c of outcome.alreadyCompliant) out.push(`  compliant ${c}`);
  for (const w of outcome.warnings) out.push(`  warning   ${w}`);
  if (outcome.plan !== undefined) out.push(`  ARM writes ${outcome.mode === 'plan' ? 'an apply would make' : 'planned'}: ${outcome.plan.writes}`);
  out.push(...dnsLines(outcome.dns), ...discoveryLine(outcome.discovery));
  if (outcome.error) out.push('', `  error ${outcome.error.code}: ${outcome.error.message}`);
  return `${out.join('\n')}\n`;
}

export function verifyDnsSummary(result: VerifyDnsResult): string {
  const out: string[] = ['', `DNS ${result.proven ? 'proven' : 'NOT proven'}: ${result.registryId}`];
  out.push(...dnsLines(result.checks), ...discoveryLine(result.discovery));
  if (!result.proven && result.diagnosis !== '') out.push('', '  What is wrong:', ...result.diagnosis.split('\n').map((l) => `    ${l}`));
  return `${out.join('\n')}\n`;
}

export function discoverySummary(region: string, name: string, doc: DiscoveryDocument): string {
  const out: string[] = [`Discovery of registry '${name}' (asked in ${region})`];
  if (doc.registryName !== undefined) out.push(`  registryName   ${doc.registryName}`);
  if (doc.primaryRegion !== undefined) out.push(`  primaryRegion  ${doc.primaryRegion}`);
  if (doc.regions !== undefined) out.push(`  regions        ${doc.regions.join(', ')}`);
  const fqdns = Object.entries(doc.registryFqdns ?? {});
  if (fqdns.length > 0) out.push('  registryFqdns', ...fqdns.map(([r, v]) => `    ${r.padEnd(16)} ${v.uri ?? JSON.stringify(v)}`));
  const shown = new Set(['registryName', 'primaryRegion', 'regions', 'registryFqdns']);
  for (const [k, v] of Object.entries(doc)) if (!shown.has(k)) out.push(`  ${k.padEnd(14)} ${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return `${out.join('\n')}\n`;
}

/** The HTTP API's status answer, as far as it has the documented fields. */
export interface RunStatusView {
  runtimeStatus?: string;
  steps?: StepStatus[];
  createdTime?: string;
  lastUpdatedTime?: string;
  output?: unknown;
  summary?: unknown;
}

export function statusSummary(registryId: string, status: RunStatusView): string {
  const out: string[] = [`Run of ${registryId}: ${status.runtimeStatus ?? 'unknown'}`];
  if (status.createdTime) out.push(`  created ${status.createdTime}${status.lastUpdatedTime ? `, last update ${status.lastUpdatedTime}` : ''}`);
  for (const s of status.steps ?? []) out.push(stepLine(s));
  const result = status.summary ?? status.output;
  if (isOutcome(result)) out.push(outcomeSummary(result).trimEnd());
  else if (result !== undefined && result !== null) out.push('', `  output: ${typeof result === 'string' ? result : JSON.stringify(result)}`);
  return `${out.join('\n')}\n`;
}

function isOutcome(value: unknown): value is Outcome {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<Outcome>;
  return typeof v.kind === 'string' && typeof v.mode === 'string' && Array.isArray(v.changes) && Array.isArray(v.alreadyCompliant) && Array.isArray(v.warnings) && Array.isArray(v.dns);
}
