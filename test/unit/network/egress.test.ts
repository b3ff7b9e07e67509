import {
  asNsgRule, cidrContains, destinationCovers, evaluateEgress, parsePortRange, planEgressFix, requiredFlows, ruleCovers,
  type NsgRule,
} from '../../../src/network/domain/egress';

const SUBNET = ['10.20.1.0/24'];

/** Azure's default rules of every NSG. */
const DEFAULTS: NsgRule[] = [
  { name: 'AllowVnetOutBound', priority: 65000, direction: 'Outbound', access: 'Allow', protocol: '*', sourceAddressPrefix: 'VirtualNetwork', sourcePortRange: '*', destinationAddressPrefix: 'VirtualNetwork', destinationPortRange: '*', isDefault: true },
  { name: 'AllowInternetOutBound', priority: 65001, direction: 'Outbound', access: 'Allow', protocol: '*', sourceAddressPrefix: '*', sourcePortRange: '*', destinationAddressPrefix: 'Internet', destinationPortRange: '*', isDefault: true },
  { name: 'DenyAllOutBound', priority: 65500, direction: 'Outbound', access: 'Deny', protocol: '*', sourceAddressPrefix: '*', sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: '*', isDefault: true },
];

function rule(name: string, priority: number, over: Partial<NsgRule> = {}): NsgRule {
  return { name, priority, direction: 'Outbound', access: 'Allow', protocol: 'Tcp', sourceAddressPrefix: 'VirtualNetwork', sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: '443', ...over };
}

const DENY_ALL = rule('deny-all-out', 4000, { access: 'Deny', protocol: '*', destinationPortRange: '*', sourceAddressPrefix: '*' });

const flowsWe = requiredFlows(['westeurope']);
const state = (rules: NsgRule[], key: string) => evaluateEgress(rules, flowsWe, SUBNET).flows.find((f) => f.key === key);

describe('requiredFlows', () => {
  it('lists the guide\'s rules: AzureMachineLearning TCP 443/877/18881 + UDP 5831, and three regional tags on TCP 443 per region', () => {
    expect(flowsWe.map((f) => f.key)).toEqual([
      'AzureMachineLearning/Tcp/443', 'AzureMachineLearning/Tcp/877', 'AzureMachineLearning/Tcp/18881', 'AzureMachineLearning/Udp/5831',
      'Storage.westeurope/Tcp/443', 'MicrosoftContainerRegistry.westeurope/Tcp/443', 'AzureContainerRegistry.westeurope/Tcp/443',
    ]);
  });
  it('adds the regional flows once per distinct region, normalised', () => {
    const keys = requiredFlows(['WestEurope', 'northeurope', 'westeurope', ' ']).map((f) => f.key);
    expect(keys).toHaveLength(4 + 6);
    expect(keys).toContain('Storage.northeurope/Tcp/443');
  });
});

describe('matching helpers', () => {
  it.each([
    ['*', [0, 65535]], ['443', [443, 443]], ['400-500', [400, 500]], [' 1 - 2 ', [1, 2]],
  ] as const)('parsePortRange(%p)', (range, expected) => expect(parsePortRange(range)).toEqual(expected));
  it.each(['', 'abc', '500-400', '70000', '1-70000', '443,80'])('rejects the malformed range %p', (r) => expect(parsePortRange(r)).toBeUndefined());

  it.each([
    ['*', 'Storage.westeurope', true], ['Internet', 'AzureMachineLearning', true], ['internet', 'Storage.westeurope', true],
    ['AzureCloud', 'Storage.westeurope', true], ['AzureCloud.westeurope', 'Storage.westeurope', true], ['AzureCloud.northeurope', 'Storage.westeurope', false],
    ['Storage', 'Storage.westeurope', true], ['storage.WESTEUROPE', 'Storage.westeurope', true], ['Storage.northeurope', 'Storage.westeurope', false],
    ['AzureMachineLearning', 'AzureMachineLearning', true], ['AzureMachineLearning.westeurope', 'AzureMachineLearning', false],
    ['10.0.0.0/8', 'Storage.westeurope', false], ['VirtualNetwork', 'AzureMachineLearning', false], ['AzureCloud.westeurope', 'AzureMachineLearning', false],
  ] as const)('destination %p covers %p: %p', (prefix, tag, expected) => expect(destinationCovers(prefix, tag)).toBe(expected));

  it('cidrContains', () => {
    expect(cidrContains('10.20.0.0/16', '10.20.1.0/24')).toBe(true);
    expect(cidrContains('10.20.1.0/24', '10.20.0.0/16')).toBe(false);
    expect(cidrContains('0.0.0.0/0', '10.20.1.0/24')).toBe(true);
    expect(cidrContains('VirtualNetwork', '10.20.1.0/24')).toBe(false);
  });

  it('a rule must cover the whole flow: direction, protocol, port, destination, every source port and the whole subnet', () => {
    const flow = { serviceTag: 'Storage.westeurope', protocol: 'Tcp' as const, port: 443 };
    expect(ruleCovers(rule('a', 100, { destinationAddressPrefix: 'Storage' }), flow, SUBNET)).toBe(true);
    expect(ruleCovers(rule('a', 100, { direction: 'Inbound' }), flow, SUBNET)).toBe(false);
    expect(ruleCovers(rule('a', 100, { protocol: 'Udp' }), flow, SUBNET)).toBe(false);
    expect(ruleCovers(rule('a', 100, { protocol: '*' }), flow, SUBNET)).toBe(true);
    expect(ruleCovers(rule('a', 100, { destinationPortRange: '80' }), flow, SUBNET)).toBe(false);
    expect(ruleCovers(rule('a', 100, { destinationPortRange: undefined, destinationPortRanges: ['80', '400-500'] }), flow, SUBNET)).toBe(true);
    expect(ruleCovers(rule('a', 100, { sourcePortRange: '1024-65535' }), flow, SUBNET)).toBe(false);
    expect(ruleCovers(rule('a', 100, { sourcePortRange: '0-65535' }), flow, SUBNET)).toBe(true);
    expect(ruleCovers(rule('a', 100, { sourceAddressPrefix: '10.20.0.0/16' }), flow, SUBNET)).toBe(true);
    expect(ruleCovers(rule('a', 100, { sourceAddressPrefix: '10.20.1.0/25' }), flow, SUBNET)).toBe(false);
    expect(ruleCovers(rule('a', 100, { sourceAddressPrefix: undefined, sourceAddressPrefixes: ['192.168.0.0/16', '10.0.0.0/8'] }), flow, SUBNET)).toBe(true);
    expect(ruleCovers(rule('a', 100, { destinationAddressPrefix: undefined, destinationAddressPrefixes: ['10.0.0.0/8', 'Storage.westeurope'] }), flow, SUBNET)).toBe(true);
  });
});

describe('evaluateEgress', () => {
  it('with only the default rules, everything goes out through AllowInternetOutBound (present)', () => {
    const report = evaluateEgress(DEFAULTS, flowsWe, SUBNET);
    expect(report.compliant).toBe(true);
    expect(report.counts).toEqual({ present: 7, missing: 0, shadowed: 0 });
    expect(report.flows[0]?.allowedBy).toEqual({ name: 'AllowInternetOutBound', priority: 65001, isDefault: true });
  });

  it('a custom deny-all makes every flow missing, naming the deny', () => {
    const report = evaluateEgress([DENY_ALL, ...DEFAULTS], flowsWe, SUBNET);
    expect(report.counts).toEqual({ present: 0, missing: 7, shadowed: 0 });
    expect(report.flows.every((f) => f.deniedBy?.name === 'deny-all-out')).toBe(true);
    expect(report.compliant).toBe(false);
  });

  it('an allow before the deny is present; the same allow after it is shadowed', () => {
    const allow = (p: number) => rule('allow-aml', p, { destinationAddressPrefix: 'AzureMachineLearning', destinationPortRanges: ['443', '877', '18881'], destinationPortRange: undefined });
    expect(state([allow(3000), DENY_ALL, ...DEFAULTS], 'AzureMachineLearning/Tcp/877')?.state).toBe('present');
    const shadowed = state([allow(4001), DENY_ALL, ...DEFAULTS], 'AzureMachineLearning/Tcp/877');
    expect(shadowed?.state).toBe('shadowed');
    expect(shadowed?.deniedBy?.name).toBe('deny-all-out');
    expect(shadowed?.shadowedAllows?.map((r) => r.name)).toEqual(['allow-aml']);
    // the Udp flow is not covered by the Tcp allow: missing, not shadowed
    expect(state([allow(4001), DENY_ALL, ...DEFAULTS], 'AzureMachineLearning/Udp/5831')?.state).toBe('missing');
  });

  it('a deny that covers only part of the flow does not decide it', () => {
    const partial = [
      rule('deny-some-sources', 200, { access: 'Deny', sourceAddressPrefix: '10.20.1.0/26' }),
      rule('deny-other-port', 210, { access: 'Deny', destinationPortRange: '8443' }),
      rule('deny-other-region', 220, { access: 'Deny', destinationAddressPrefix: 'Storage.northeurope' }),
      rule('deny-udp', 230, { access: 'Deny', protocol: 'Udp' }),
      rule('allow-storage', 300, { destinationAddressPrefix: 'Storage.westeurope' }),
      DENY_ALL, ...DEFAULTS,
    ];
    expect(state(partial, 'Storage.westeurope/Tcp/443')).toMatchObject({ state: 'present', allowedBy: { name: 'allow-storage' } });
  });

  it('a deny to the unregional tag or to Internet shadows the regional allow after it', () => {
    const rules = [rule('deny-storage', 150, { access: 'Deny', destinationAddressPrefix: 'Storage', destinationPortRange: '*' }), rule('allow-storage', 300, { destinationAddressPrefix: 'Storage.westeurope' }), ...DEFAULTS];
    expect(state(rules, 'Storage.westeurope/Tcp/443')).toMatchObject({ state: 'shadowed', deniedBy: { name: 'deny-storage', priority: 150 } });
    const internet = [rule('deny-internet', 150, { access: 'Deny', destinationAddressPrefix: 'Internet', protocol: '*' }), rule('allow-acr', 300, { destinationAddressPrefix: 'AzureContainerRegistry' }), ...DEFAULTS];
    expect(state(internet, 'AzureContainerRegistry.westeurope/Tcp/443')?.state).toBe('shadowed');
  });

  it('evaluates in priority order whatever the input order; inbound rules are ignored', () => {
    const rules = [...DEFAULTS, DENY_ALL, rule('allow-mcr', 3999, { destinationAddressPrefix: 'MicrosoftContainerRegistry.westeurope' }), rule('in', 100, { direction: 'Inbound', access: 'Deny', destinationPortRange: '*' })];
    expect(state(rules, 'MicrosoftContainerRegistry.westeurope/Tcp/443')?.state).toBe('present');
  });

  it('an allow that the default AllowInternetOutBound would grant under a deny is missing, not shadowed (defaults are not "the owner\'s allow")', () => {
    expect(state([DENY_ALL, ...DEFAULTS], 'Storage.westeurope/Tcp/443')?.state).toBe('missing');
  });

  it('without any covering rule (no defaults given) the flow is missing', () => {
    const r = state([], 'Storage.westeurope/Tcp/443');
    expect(r?.state).toBe('missing');
    expect(r?.deniedBy).toBeUndefined();
  });
});

describe('planEgressFix', () => {
  it('nothing to do when compliant', () => {
    expect(planEgressFix(DEFAULTS, evaluateEgress(DEFAULTS, flowsWe, SUBNET))).toEqual({ kind: 'nothing-to-do' });
  });

  it('one rule per tag and protocol, just ahead of the deny, at the highest free priorities, in the order of the flows', () => {
    const rules = [DENY_ALL, rule('taken', 3999, { destinationAddressPrefix: '10.0.0.0/8' }), ...DEFAULTS];
    const plan = planEgressFix(rules, evaluateEgress(rules, flowsWe, SUBNET));
    if (plan.kind !== 'add') throw new Error(plan.kind);
    expect(plan.rules.map((r) => [r.name, r.priority, r.protocol, r.destinationAddressPrefix, r.destinationPortRanges])).toEqual([
      ['aml-lockdown-allow-AzureMachineLearning-Tcp', 3998, 'Tcp', 'AzureMachineLearning', ['443', '877', '18881']],
      ['aml-lockdown-allow-AzureMachineLearning-Udp', 3997, 'Udp', 'AzureMachineLearning', ['5831']],
      ['aml-lockdown-allow-Storage.westeurope-Tcp', 3996, 'Tcp', 'Storage.westeurope', ['443']],
      ['aml-lockdown-allow-MicrosoftContainerRegistry.westeurope-Tcp', 3995, 'Tcp', 'MicrosoftContainerRegistry.westeurope', ['443']],
      ['aml-lockdown-allow-AzureContainerRegistry.westeurope-Tcp', 3994, 'Tcp', 'AzureContainerRegistry.westeurope', ['443']],
    ]);
    const after = evaluateEgress([...rules, ...plan.rules.map(asNsgRule)], flowsWe, SUBNET);
    expect(after.compliant).toBe(true);
  });

  it('is deterministic and only fills the failing flows', () => {
    const rules = [rule('allow-aml', 100, { destinationAddressPrefix: 'AzureMachineLearning', protocol: '*', destinationPortRange: '*' }), DENY_ALL, ...DEFAULTS];
    const a = planEgressFix(rules, evaluateEgress(rules, flowsWe, SUBNET));
    const b = planEgressFix([...rules].reverse(), evaluateEgress([...rules].reverse(), flowsWe, SUBNET));
    expect(a).toEqual(b);
    if (a.kind !== 'add') throw new Error(a.kind);
    expect(a.rules.flatMap((r) => r.flows)).toEqual(['Storage.westeurope/Tcp/443', 'MicrosoftContainerRegistry.westeurope/Tcp/443', 'AzureContainerRegistry.westeurope/Tcp/443']);
  });

  it('goes ahead of the FIRST deny that decides a group (the lowest bound of its flows)', () => {
    const rules = [rule('deny-877', 500, { access: 'Deny', destinationPortRange: '877' }), DENY_ALL, ...DEFAULTS];
    const plan = planEgressFix(rules, evaluateEgress(rules, flowsWe, SUBNET));
    if (plan.kind !== 'add') throw new Error(plan.kind);
    expect(plan.rules[0]).toMatchObject({ destinationAddressPrefix: 'AzureMachineLearning', protocol: 'Tcp', priority: 499 });
    expect(plan.rules[1]).toMatchObject({ protocol: 'Udp', priority: 3999 });
  });

  it('with only the defaults deciding (no custom deny), new rules take 4096 downwards', () => {
    const rules = [rule('deny-udp', 4096, { access: 'Deny', protocol: 'Udp', destinationPortRange: '*', destinationAddressPrefix: '*' }), ...DEFAULTS];
    const plan = planEgressFix(rules, evaluateEgress(rules, flowsWe, SUBNET));
    if (plan.kind !== 'add') throw new Error(plan.kind);
    expect(plan.rules).toHaveLength(1);
    expect(plan.rules[0]).toMatchObject({ protocol: 'Udp', priority: 4095 });
  });

  it('refuses, naming the deny, when no priority is free ahead of it; nothing is planned', () => {
    const rules = [rule('deny-early', 102, { access: 'Deny', protocol: '*', destinationPortRange: '*' }), rule('x100', 100, { destinationAddressPrefix: '10.0.0.0/8' }), rule('x101', 101, { destinationAddressPrefix: '10.0.0.0/8' }), ...DEFAULTS];
    const plan = planEgressFix(rules, evaluateEgress(rules, flowsWe, SUBNET));
    expect(plan.kind).toBe('refused');
    if (plan.kind === 'refused') expect(plan.reason).toMatch(/deny-early.*priority 102.*nothing was changed/);
    const deny100 = [rule('deny-first', 100, { access: 'Deny', protocol: '*', destinationPortRange: '*' }), ...DEFAULTS];
    expect(planEgressFix(deny100, evaluateEgress(deny100, flowsWe, SUBNET)).kind).toBe('refused');
  });

  it('never reuses an existing rule name or an outbound priority (inbound priorities may be shared)', () => {
    const rules = [
      rule('aml-lockdown-allow-AzureMachineLearning-Udp', 300, { destinationAddressPrefix: '10.0.0.0/8' }),
      rule('in-3999', 3999, { direction: 'Inbound' }),
      DENY_ALL, ...DEFAULTS,
    ];
    const plan = planEgressFix(rules, evaluateEgress(rules, flowsWe, SUBNET));
    if (plan.kind !== 'add') throw new Error(plan.kind);
    expect(plan.rules[0]?.priority).toBe(3999);
    expect(plan.rules[1]?.name).toBe('aml-lockdown-allow-AzureMachineLearning-Udp-2');
  });
});
