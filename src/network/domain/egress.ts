/**
 * "Secured workspace, public registry": the outbound NSG rules the isolation guide asks for on a
 * workspace's subnet, and a pure evaluation of an NSG's rules against them — each required flow is
 * present (the first rule that fully covers it allows it), shadowed (a custom Allow exists but a
 * higher-priority Deny decides first) or missing — plus the planner of the Allow rules a fix adds.
 * No SDK, no I/O: plain objects in, plain objects out.
 */
import { fitNetworkName, NETWORK_NAME_MAX } from '../../shared/azure-names';

export type Protocol = 'Tcp' | 'Udp';

/** One flow the guide requires: outbound to a service tag on a protocol and port. */
export interface RequiredFlow {
  /** stable key, e.g. `AzureMachineLearning/Tcp/443` */
  key: string;
  serviceTag: string;
  protocol: Protocol;
  port: number;
  why: string;
}

/** A security rule as the evaluation needs it (from an NSG's securityRules or defaultSecurityRules). */
export interface NsgRule {
  name: string;
  priority: number;
  direction: string;
  access: string;
  protocol: string;
  sourceAddressPrefix?: string;
  sourceAddressPrefixes?: readonly string[];
  sourcePortRange?: string;
  sourcePortRanges?: readonly string[];
  destinationAddressPrefix?: string;
  destinationAddressPrefixes?: readonly string[];
  destinationPortRange?: string;
  destinationPortRanges?: readonly string[];
  /** one of Azure's defaultSecurityRules (AllowInternetOutBound, DenyAllOutBound, …) */
  isDefault?: boolean;
}

export type FlowState = 'present' | 'missing' | 'shadowed';

export interface RuleRef {
  name: string;
  priority: number;
  isDefault: boolean;
}

export interface FlowResult {
  key: string;
  serviceTag: string;
  protocol: Protocol;
  port: number;
  state: FlowState;
  /** the rule that lets the flow out (present) */
  allowedBy?: RuleRef;
  /** the first Deny that fully covers the flow and decides before any Allow (missing, shadowed) */
  deniedBy?: RuleRef;
  /** the custom Allow rules that cover the flow but come after `deniedBy` (shadowed) */
  shadowedAllows?: RuleRef[];
  why: string;
}

export interface EgressReport {
  compliant: boolean;
  flows: FlowResult[];
  counts: Record<FlowState, number>;
}

/** The custom-rule priority range of an NSG (lower number = evaluated first). */
export const MIN_PRIORITY = 100;
export const MAX_PRIORITY = 4096;

/** The outbound rules the guide lists for a secured workspace using a public registry, for the registry's regions. */
export function requiredFlows(regions: readonly string[]): RequiredFlow[] {
  const flows: RequiredFlow[] = [
    { serviceTag: 'AzureMachineLearning', protocol: 'Tcp', port: 443, why: 'Azure Machine Learning service (registry API, jobs)' },
    { serviceTag: 'AzureMachineLearning', protocol: 'Tcp', port: 877, why: 'Azure Machine Learning compute (node communication)' },
    { serviceTag: 'AzureMachineLearning', protocol: 'Tcp', port: 18881, why: 'Azure Machine Learning compute (language server)' },
    { serviceTag: 'AzureMachineLearning', protocol: 'Udp', port: 5831, why: 'Azure Machine Learning compute (node communication)' },
  ].map((f) => ({ ...f, protocol: f.protocol as Protocol, key: `${f.serviceTag}/${f.protocol}/${f.port}` }));
  const seen = new Set<string>();
  for (const raw of regions) {
    const region = raw.trim().toLowerCase();
    if (region === '' || seen.has(region)) continue;
    seen.add(region);
    for (const [tag, why] of [
      ['Storage', "the registry's storage accounts (model and data assets)"],
      ['MicrosoftContainerRegistry', 'Microsoft container images (curated environments)'],
      ['AzureContainerRegistry', "the registry's container registry (environment images)"],
    ] as const) {
      const serviceTag = `${tag}.${region}`;
      flows.push({ key: `${serviceTag}/Tcp/443`, serviceTag, protocol: 'Tcp', port: 443, why: `${why} in ${region}` });
    }
  }
  return flows;
}

// ---- matching --------------------------------------------------------------------------------

function listOf(single: string | undefined, many: readonly string[] | undefined): string[] {
  const out = [...(many ?? [])];
  if (single !== undefined && single !== '') out.push(single);
  return out.map((s) => s.trim()).filter((s) => s !== '');
}

/** '*', '443', '400-500' → [from, to]; undefined when malformed. */
export function parsePortRange(range: string): [number, number] | undefined {
  const r = range.trim();
  if (r === '*') return [0, 65535];
  const m = /^(\d{1,5})(?:\s*-\s*(\d{1,5}))?$/.exec(r);
  if (!m) return undefined;
  const from = Number(m[1]);
  const to = m[2] === undefined ? from : Number(m[2]);
  if (from > to || to > 65535) return undefined;
  return [from, to];
}

function portsCover(ranges: readonly string[], port: number): boolean {
  return ranges.some((r) => {
    const p = parsePortRange(r);
    return p !== undefined && p[0] <= port && port <= p[1];
  });
}

function allSourcePorts(rule: NsgRule): boolean {
  const ranges = listOf(rule.sourcePortRange, rule.sourcePortRanges);
  return ranges.some((r) => {
    const p = parsePortRange(r);
    return p !== undefined && p[0] <= 1 && p[1] === 65535;
  });
}

function protocolCovers(ruleProtocol: string, protocol: Protocol): boolean {
  const p = ruleProtocol.trim().toLowerCase();
  return p === '*' || p === protocol.toLowerCase();
}

/**
 * Whether a destination prefix of a rule covers the whole of a service tag: '*', 'Internet' (the
 * public address space, where service tags live), 'AzureCloud' (every Azure public range), the tag
 * itself, or the unregional tag / 'AzureCloud.<region>' for a regional tag ('Storage' covers
 * 'Storage.westeurope'). Address ranges and other tags are not treated as covering.
 */
export function destinationCovers(prefix: string, serviceTag: string): boolean {
  const p = prefix.trim().toLowerCase();
  const tag = serviceTag.toLowerCase();
  if (p === '*' || p === 'internet' || p === 'azurecloud' || p === tag) return true;
  const dot = tag.indexOf('.');
  if (dot < 0) return false;
  const base = tag.slice(0, dot);
  const region = tag.slice(dot + 1);
  return p === base || p === `azurecloud.${region}`;
}

/** Whether the rule's source covers all traffic leaving the subnet: '*', 'VirtualNetwork' or a range holding the subnet's prefixes. */
function sourceCoversSubnet(rule: NsgRule, subnetPrefixes: readonly string[]): boolean {
  return listOf(rule.sourceAddressPrefix, rule.sourceAddressPrefixes).some((s) => {
    const p = s.toLowerCase();
    if (p === '*' || p === 'virtualnetwork') return true;
    return subnetPrefixes.length > 0 && subnetPrefixes.every((sp) => cidrContains(s, sp));
  });
}

function ipv4ToInt(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    n = n * 256 + Number(part);
  }
  return n;
}

function parseCidr(cidr: string): { base: number; size: number } | undefined {
  const [ip, bits = '32'] = cidr.trim().split('/');
  const n = ipv4ToInt(ip ?? '');
  const b = Number(bits);
  if (n === undefined || !/^\d{1,2}$/.test(bits) || b > 32) return undefined;
  const size = 2 ** (32 - b);
  return { base: n - (n % size), size };
}

/** IPv4 CIDR containment (false for anything that is not IPv4 CIDR). */
export function cidrContains(outer: string, inner: string): boolean {
  const o = parseCidr(outer);
  const i = parseCidr(inner);
  return o !== undefined && i !== undefined && i.base >= o.base && i.base + i.size <= o.base + o.size;
}

/** Whether the rule applies to the WHOLE flow (every source port, the whole subnet, the whole tag). */
export function ruleCovers(rule: NsgRule, flow: Pick<RequiredFlow, 'serviceTag' | 'protocol' | 'port'>, subnetPrefixes: readonly string[]): boolean {
  return rule.direction.toLowerCase() === 'outbound'
    && protocolCovers(rule.protocol, flow.protocol)
    && portsCover(listOf(rule.destinationPortRange, rule.destinationPortRanges), flow.port)
    && listOf(rule.destinationAddressPrefix, rule.destinationAddressPrefixes).some((d) => destinationCovers(d, flow.serviceTag))
    && allSourcePorts(rule)
    && sourceCoversSubnet(rule, subnetPrefixes);
}

function ref(rule: NsgRule): RuleRef {
  return { name: rule.name, priority: rule.priority, isDefault: rule.isDefault === true };
}

/** Outbound rules in evaluation order: priority, custom before default on a tie (cannot happen in Azure), then name. */
export function outboundInOrder(rules: readonly NsgRule[]): NsgRule[] {
  return rules
    .filter((r) => r.direction.toLowerCase() === 'outbound')
    .slice()
    .sort((a, b) => a.priority - b.priority || Number(a.isDefault === true) - Number(b.isDefault === true) || a.name.localeCompare(b.name));
}

function evaluateFlow(flow: RequiredFlow, ordered: readonly NsgRule[], subnetPrefixes: readonly string[]): FlowResult {
  const base = { key: flow.key, serviceTag: flow.serviceTag, protocol: flow.protocol, port: flow.port };
  const covering = ordered.filter((r) => ruleCovers(r, flow, subnetPrefixes));
  const first = covering[0];
  if (first === undefined) {
    return { ...base, state: 'missing', why: `no outbound rule covers ${flow.protocol} ${flow.port} to ${flow.serviceTag}` };
  }
  if (first.access.toLowerCase() === 'allow') {
    return { ...base, state: 'present', allowedBy: ref(first), why: `allowed by ${first.isDefault ? 'default rule ' : ''}'${first.name}' (priority ${first.priority})` };
  }
  const later = covering.filter((r) => r.priority > first.priority && r.access.toLowerCase() === 'allow' && r.isDefault !== true).map(ref);
  if (later.length > 0) {
    return {
      ...base, state: 'shadowed', deniedBy: ref(first), shadowedAllows: later,
      why: `'${later[0]?.name ?? ''}' (priority ${later[0]?.priority ?? ''}) allows it, but '${first.name}' (priority ${first.priority}) denies it first`,
    };
  }
  return { ...base, state: 'missing', deniedBy: ref(first), why: `no rule allows it; '${first.name}' (priority ${first.priority}) denies it` };
}

/** Evaluates every required flow against the NSG's rules (custom and default). */
export function evaluateEgress(rules: readonly NsgRule[], flows: readonly RequiredFlow[], subnetPrefixes: readonly string[]): EgressReport {
  const ordered = outboundInOrder(rules);
  const results = flows.map((f) => evaluateFlow(f, ordered, subnetPrefixes));
  const counts: Record<FlowState, number> = { present: 0, missing: 0, shadowed: 0 };
  for (const r of results) counts[r.state] += 1;
  return { compliant: counts.missing === 0 && counts.shadowed === 0, flows: results, counts };
}

// ---- the fix planner -------------------------------------------------------------------------

/** A security rule the fix adds (outbound Allow from the VNet to one service tag). */
export interface NewRule {
  name: string;
  priority: number;
  protocol: Protocol;
  destinationAddressPrefix: string;
  destinationPortRanges: string[];
  /** the flows (keys) this rule makes present */
  flows: string[];
  description: string;
}

export type FixPlan =
  | { kind: 'nothing-to-do' }
  | { kind: 'add'; rules: NewRule[] }
  | { kind: 'refused'; reason: string };

export const RULE_NAME_PREFIX = 'aml-lockdown-allow';

function ruleName(tag: string, protocol: Protocol, taken: Set<string>): string {
  // Azure's security rule names: 1–80, start alphanumeric, end alphanumeric or '_' (room left for '-<n>')
  const stem = fitNetworkName(`${RULE_NAME_PREFIX}-${tag}-${protocol}`, NETWORK_NAME_MAX.securityRule - 4);
  let name = stem;
  for (let i = 2; taken.has(name.toLowerCase()); i += 1) name = `${stem}-${i}`;
  taken.add(name.toLowerCase());
  return name;
}

/**
 * The Allow rules that make every missing or shadowed flow present, without touching an existing
 * rule: flows are grouped per (service tag, protocol) into one rule; each rule gets the highest
 * free priority that is still evaluated before the first Deny covering any of its flows (so it
 * changes the order of nothing else), allocated in the order of the required flows. Refused when
 * some group has no free priority before its Deny (nothing is planned then).
 */
export function planEgressFix(rules: readonly NsgRule[], report: EgressReport): FixPlan {
  const failing = report.flows.filter((f) => f.state !== 'present');
  if (failing.length === 0) return { kind: 'nothing-to-do' };
  const groups = new Map<string, FlowResult[]>();
  for (const f of failing) {
    const k = `${f.serviceTag.toLowerCase()}|${f.protocol}`;
    groups.set(k, [...(groups.get(k) ?? []), f]);
  }
  const used = new Set(rules.filter((r) => r.direction.toLowerCase() === 'outbound').map((r) => r.priority));
  const taken = new Set(rules.map((r) => r.name.toLowerCase()));
  const planned: NewRule[] = [];
  for (const members of groups.values()) {
    const head = members[0] as FlowResult;
    const bound = Math.min(MAX_PRIORITY + 1, ...members.map((m) => m.deniedBy?.priority ?? MAX_PRIORITY + 1));
    let priority: number | undefined;
    for (let p = bound - 1; p >= MIN_PRIORITY; p -= 1) {
      if (!used.has(p)) {
        priority = p;
        break;
      }
    }
    if (priority === undefined) {
      const deny = members.find((m) => m.deniedBy?.priority === bound)?.deniedBy;
      return {
        kind: 'refused',
        reason: `no free priority between ${MIN_PRIORITY} and ${bound - 1} for an Allow rule to ${head.serviceTag} (${head.protocol}) ahead of '${deny?.name ?? 'the deny rule'}' (priority ${bound}); free a priority or lower the deny's precedence, nothing was changed.`,
      };
    }
    used.add(priority);
    const ports = [...new Set(members.map((m) => m.port))].sort((a, b) => a - b).map(String);
    planned.push({
      name: ruleName(head.serviceTag, head.protocol, taken),
      priority,
      protocol: head.protocol,
      destinationAddressPrefix: head.serviceTag,
      destinationPortRanges: ports,
      flows: members.map((m) => m.key),
      description: `Added by aml-lockdown: outbound ${head.protocol} ${ports.join(',')} to ${head.serviceTag} (registry egress).`.slice(0, 140),
    });
  }
  return { kind: 'add', rules: planned };
}

/** The rule as an outbound Allow NsgRule (to re-evaluate a planned fix). */
export function asNsgRule(rule: NewRule): NsgRule {
  return {
    name: rule.name, priority: rule.priority, direction: 'Outbound', access: 'Allow', protocol: rule.protocol,
    sourceAddressPrefix: 'VirtualNetwork', sourcePortRange: '*',
    destinationAddressPrefix: rule.destinationAddressPrefix, destinationPortRanges: rule.destinationPortRanges,
  };
}
