/**
 * The sandbox's closing menu: a copy-pasteable command for every feature, each with the token of
 * the role it needs. One entry is one line `  <label>: <command>`, run from the project folder;
 * a `# …` at its end is a shell comment saying what to expect when that is not "exit 0, no
 * error": `# exits N …` (a report with findings), `# answers NNN …` (a refusal, shown with -i).
 * test/local/sandbox/menu.test.ts runs every line as printed and holds it to that.
 */

export interface MenuWorld {
  /** the Functions host */
  base: string;
  subscriptionIds: [string, string];
  demo: { id: string; path: string; regions: readonly string[] };
  publicRegistryId: string;
  workspace: { id: string; path: string; computeSubnetId: string };
  adminUrl: string;
  dns: { host: string; port: number; name: string };
  /** as the commands name them (relative to the project folder when inside it) */
  files: { endpoints: string; settings: string; ca: string; dir: string };
  durable: { instanceId: string; key: string };
}

export interface MenuEntry { label: string; command: string; note?: string }
export interface MenuSection { title: string; entries: MenuEntry[] }

const q = (s: string): string => `"${s}"`;

export function menuSections(w: MenuWorld): MenuSection[] {
  const token = (role: 'reader' | 'operator' | 'networkAdmin'): string => `-H "Authorization: Bearer $(node -p 'require(${JSON.stringify(w.files.endpoints)}).tokens.${role}')"`;
  const R = token('reader');
  const O = token('operator');
  const N = token('networkAdmin');
  const api = `${w.base}/api`;
  const harden = `${api}/${w.demo.path}/harden`;
  const report = `${api}/${w.demo.path}/report`;
  const ws = `${api}/${w.workspace.path}`;
  const subnet = encodeURIComponent(w.workspace.computeSubnetId);
  const out = (file: string): string => `${w.files.dir}/${file}`;
  const approve = `${api}/registries/${w.subscriptionIds[0]}/rg-ml-demo/approvereg/harden`;
  const cli = (args: string): string => `NODE_EXTRA_CA_CERTS=${w.files.ca} node dist/src/cli/main.js ${args} --settings ${w.files.settings}`;
  const [, second] = w.subscriptionIds;
  return [
    {
      title: 'The HTTP API, each call with a ready token of the role it needs',
      entries: [
        { label: 'run status', command: `curl -s ${R} ${harden}` },
        { label: 'recent runs', command: `curl -s ${R} ${q(`${api}/runs?top=5`)}` },
        { label: 'apply again', command: `curl -s -X POST ${O} ${harden}`, note: 'a second run: zero writes, everything already compliant' },
        { label: 'role missing', command: `curl -s -i -X POST ${R} ${harden}`, note: 'answers 403 AUTH.FORBIDDEN: apply needs Lockdown.Operator' },
        { label: 'no token', command: `curl -s -i ${harden}`, note: 'answers 401 with no body: App Service Authentication refuses before the app runs' },
        { label: 'discovery', command: `curl -s ${R} ${api}/discovery/${w.demo.regions[0] ?? 'westeurope'}/demoreg` },
        { label: 'egress check', command: `curl -s ${R} ${q(`${ws}/registry-egress?subnetId=${subnet}`)}`, note: 'compliant: false, the Azure ML flows are missing' },
        { label: 'egress fix', command: `curl -s -X POST ${N} ${q(`${ws}/registry-egress?subnetId=${subnet}&fix=true`)}` },
        { label: 'exfiltration', command: `curl -s ${R} ${q(`${api}/subnets/exfiltration?subnetId=${subnet}`)}`, note: 'protected: false' },
        { label: 'exfiltration apply', command: `curl -s -X POST ${N} ${q(`${api}/subnets/exfiltration?subnetId=${subnet}`)}` },
        { label: 'share-with', command: `curl -s -X POST ${N} ${q(`${ws}/share-with?registryId=${encodeURIComponent(w.demo.id)}`)}` },
        { label: 'deployments audit', command: `curl -s ${R} ${ws}/deployments-audit`, note: 'green serves a registry model with public egress' },
        { label: 'fleet egress', command: `curl -s ${R} ${api}/fleet/registry-egress` },
        { label: 'fleet exfiltration', command: `curl -s ${R} ${api}/fleet/exfiltration` },
        { label: 'fleet audit', command: `curl -s ${R} ${api}/fleet/deployments-audit` },
        { label: 'sweep', command: `curl -s -X POST ${O} ${q(`${api}/sweep?mode=plan`)}`, note: 'both target subscriptions, reads only' },
        { label: 'sweep status', command: `curl -s ${R} ${api}/sweep` },
        { label: 'report JSON', command: `curl -s ${R} ${report}` },
        { label: 'report page', command: `curl -s ${R} ${q(`${report}?format=html`)} -o ${out('report.html')}` },
        { label: 'fleet page', command: `curl -s ${R} ${q(`${api}/fleet/report?format=html`)} -o ${out('fleet.html')}` },
        { label: 'API spec', command: `curl -s ${R} ${api}/openapi.json -o ${out('openapi.json')}` },
        { label: 'durable API', command: `curl -s ${R} ${q(`${w.base}/runtime/webhooks/durabletask/instances/${w.durable.instanceId}?code=${w.durable.key}`)}` },
      ],
    },
    {
      title: 'As a user of Azure (npm run sandbox: ARM with a person\'s token, never the app\'s; this console shows each event and what the app decided)',
      entries: [
        { label: 'new registry', command: 'npm run -s sandbox -- create-registry userreg --regions westeurope,northeurope', note: 'waits for the run the creation event started' },
        { label: 'second subscription', command: `npm run -s sandbox -- create-registry teamreg --subscription ${second} --resource-group rg-ml-team` },
        { label: 'needs approval', command: 'npm run -s sandbox -- create-registry approvereg --manual-approval', note: 'returns once the run waits for the approval' },
        { label: 'owner approves', command: 'npm run -s sandbox -- approve-connections approvereg' },
        { label: 'approve', command: `curl -s -X POST ${O} ${approve}/approve`, note: 'the run re-checks now instead of at its next poll' },
        { label: 'its run', command: `curl -s ${R} ${approve}` },
        { label: 'DNS proof', command: `dig @${w.dns.host} -p ${w.dns.port} +short ${w.dns.name}` },
        { label: 'ARM calls', command: `curl -s ${w.adminUrl}/requests -o ${out('requests.json')}` },
        { label: 'events', command: `curl -s ${q(`${w.adminUrl}/eventgrid/events?operationName=Microsoft.MachineLearningServices/registries/write`)} -o ${out('events.json')}` },
        { label: 'outcomes', command: `curl -s ${w.adminUrl}/eventgrid/topics/lockdown-outcomes/events -o ${out('outcomes.json')}` },
      ],
    },
    {
      title: `The CLI (aml-lockdown), every setting from ${w.files.settings}`,
      entries: [
        { label: 'plan', command: cli(`plan ${w.demo.id}`) },
        { label: 'verify-dns', command: cli(`verify-dns ${w.demo.id}`) },
        { label: 'status', command: cli(`status ${w.demo.id}`) },
        { label: 'report file', command: cli(`report ${w.demo.id} --out ${out('report-cli.html')}`) },
        { label: 'fleet file', command: cli(`report --all --out ${out('fleet-cli.html')}`) },
        { label: 'discovery', command: cli(`discovery ${w.demo.regions[0] ?? 'westeurope'} demoreg`) },
        { label: 'sweep', command: cli('sweep') },
        { label: 'egress check', command: cli(`egress-check ${w.workspace.id}`) },
        { label: 'exfiltration', command: cli(`exfiltration ${w.workspace.computeSubnetId}`) },
        { label: 'share-with', command: cli(`allow-sharing ${w.workspace.id} ${w.demo.id}`) },
        { label: 'deployments audit', command: cli(`audit-deployments ${w.workspace.id}`), note: 'exits 1: green has public egress (a finding)' },
        { label: 'fleet egress', command: cli('egress-check --all') },
        { label: 'fleet exfiltration', command: cli('exfiltration --all') },
        { label: 'fleet audit', command: cli('audit-deployments --all'), note: 'exits 1: the same finding' },
      ],
    },
  ];
}

/** The menu as printed: a title per section, then its entries, labels aligned. */
export function menuText(sections: readonly MenuSection[]): string {
  const width = Math.max(...sections.flatMap((s) => s.entries.map((e) => e.label.length))) + 1;
  const lines: string[] = [];
  for (const s of sections) {
    lines.push(` ${s.title}:`);
    for (const e of s.entries) lines.push(`  ${`${e.label}:`.padEnd(width)} ${e.command}${e.note ? `   # ${e.note}` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}
