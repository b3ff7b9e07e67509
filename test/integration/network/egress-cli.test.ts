import { NET } from '../../../local/world';
import { ML_ALIAS, policyNameFor } from '../../../src/network/domain/exfiltration';
import { runCli, startCliWorld, type CliWorld } from '../cli/cli-world';
import { layOutWorkspaceSubnets, networkClient, rulesOf, WS, type WorkspaceSubnets } from './egress-network';

/** `aml-lockdown egress-check` / `exfiltration` as a child process against the simulator. */
describe('aml-lockdown egress-check and exfiltration', () => {
  let world: CliWorld;
  let net: WorkspaceSubnets;

  beforeAll(async () => {
    world = await startCliWorld();
    net = await layOutWorkspaceSubnets(world.sim, world.user);
  });
  afterAll(async () => {
    await world?.stop();
  });

  it('egress-check reports and exits 1 when not compliant', async () => {
    const r = await runCli(['egress-check', net.subnetId], world.settings);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/SHADOWED AzureMachineLearning\s+Tcp 443/);
    expect(r.stdout).toMatch(/MISSING {2}Storage\.westeurope/);
    expect(r.stdout).toMatch(/NOT compliant: 1 present, 3 missing, 3 shadowed \(run with --fix/);
  });

  it('--json prints the report; --region covers several regions', async () => {
    const r = await runCli(['egress-check', net.subnetId, '--json', '--region', 'westeurope,northeurope'], world.settings);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as { regions: string[]; flows: unknown[]; compliant: boolean };
    expect(doc.regions).toEqual(['westeurope', 'northeurope']);
    expect(doc.flows).toHaveLength(10);
  });

  it('bad usage exits 2: wrong id type, unknown region, option of another command', async () => {
    expect((await runCli(['egress-check', net.nsgId], world.settings)).code).toBe(2);
    const region = await runCli(['egress-check', net.subnetId, '--region', 'atlantis'], world.settings);
    expect(region.code).toBe(2);
    expect(region.stderr).toMatch(/'atlantis' is not a region/);
    expect((await runCli(['exfiltration', net.subnetId, '--fix'], world.settings)).code).toBe(2);
  });

  it('a subnet without an NSG: exit 1 with the reason (--json: the error document)', async () => {
    const r = await runCli(['egress-check', net.noNsgSubnetId, '--fix', '--json'], world.settings);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'EGRESS.NO_NSG' } });
  });

  it('--fix adds the missing rules and exits 0; existing rules unchanged', async () => {
    const before = await rulesOf(world.sim, world.user, WS.nsg);
    const r = await runCli(['egress-check', net.subnetId, '--fix'], world.settings);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/fix: added aml-lockdown-allow-AzureMachineLearning-Tcp \(priority 3999\)/);
    expect(r.stdout).toMatch(/compliant: 7 present, 0 missing, 0 shadowed/);
    const after = await rulesOf(world.sim, world.user, WS.nsg);
    for (const [name, props] of before) expect(after.get(name)).toEqual(props);
    expect((await runCli(['egress-check', net.subnetId], world.settings)).code).toBe(0);
  });

  it('exfiltration reports, then --apply protects the subnet (exit 0) keeping its endpoints and policies', async () => {
    const report = await runCli(['exfiltration', net.sepSubnetId], world.settings);
    expect(report.code).toBe(1);
    expect(report.stdout).toMatch(/policy with \/services\/Azure\/MachineLearning: NONE/);
    const applied = await runCli(['exfiltration', net.sepSubnetId, '--apply', '--json'], world.settings);
    expect(applied.code).toBe(0);
    const name = policyNameFor(net.sepSubnetId);
    expect(JSON.parse(applied.stdout)).toMatchObject({ protected: true, changes: [`create the policy '${name}' with the ${ML_ALIAS} alias`, `attach '${name}'`] });
    const subnet = await networkClient(world.sim, world.user).subnets.get(NET.rg, NET.vnet, WS.subnetSep);
    expect(subnet.serviceEndpointPolicies?.map((p) => p.id?.split('/').pop())).toEqual(['sep-accounts', name]);
    expect((await runCli(['exfiltration', net.sepSubnetId], world.settings)).code).toBe(0);
  });
});
