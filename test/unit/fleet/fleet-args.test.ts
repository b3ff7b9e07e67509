import { parseCommandLine, UsageError } from '../../../src/cli/args';
import { parseWorkspaceCommand, WorkspaceUsageError } from '../../../src/workspaces/cli';

const SUB = '00000000-0000-0000-0000-0000000000A1';
const SUBNET = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/snet`;
const WS = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws-one`;

describe('fleet modes and the workspace form of egress-check on the command line', () => {
  it('egress-check --all / exfiltration --all are fleet reports, with --subscriptions and --region', () => {
    expect(parseCommandLine(['egress-check', '--all'])).toEqual({ command: 'fleet', capability: 'registry-egress', json: false });
    expect(parseCommandLine(['egress-check', '--all', '--json', '--subscriptions', SUB, '--region', 'westeurope,NorthEurope'])).toEqual({
      command: 'fleet', capability: 'registry-egress', json: true, subscriptionIds: [SUB.toLowerCase()], regions: ['westeurope', 'northeurope'],
    });
    expect(parseCommandLine(['exfiltration', '--all', '--settings', 'x.json'])).toEqual({ command: 'fleet', capability: 'exfiltration', json: false, settingsFile: 'x.json' });
  });

  it('--all reports only: no --fix / --apply / --subnet, no id; --subscriptions needs --all', () => {
    expect(() => parseCommandLine(['egress-check', '--all', '--fix'])).toThrow(/--all reports only: --fix stays per workspace or subnet/);
    expect(() => parseCommandLine(['exfiltration', '--all', '--apply'])).toThrow(/--apply stays per subnet/);
    expect(() => parseCommandLine(['egress-check', '--all', SUBNET])).toThrow(/takes no <subnetId \| workspaceId>/);
    expect(() => parseCommandLine(['egress-check', '--all', '--subnet', SUBNET])).toThrow(UsageError);
    expect(() => parseCommandLine(['egress-check', SUBNET, '--subscriptions', SUB])).toThrow(/--subscriptions goes with --all/);
    expect(() => parseCommandLine(['egress-check', '--all', '--subscriptions', 'nope'])).toThrow(/--subscriptions must be comma-separated subscription ids/);
  });

  it('egress-check takes a workspace id, optionally with --subnet; --subnet with a subnet id is refused', () => {
    expect(parseCommandLine(['egress-check', WS])).toEqual({ command: 'egress-check', workspaceId: WS, fix: false, json: false });
    expect(parseCommandLine(['egress-check', WS, '--subnet', SUBNET, '--fix'])).toEqual({ command: 'egress-check', workspaceId: WS, subnetId: SUBNET, fix: true, json: false });
    expect(parseCommandLine(['egress-check', SUBNET])).toEqual({ command: 'egress-check', subnetId: SUBNET, fix: false, json: false });
    expect(() => parseCommandLine(['egress-check', SUBNET, '--subnet', SUBNET])).toThrow(/--subnet goes with a <workspaceId>/);
    expect(() => parseCommandLine(['egress-check', WS.replace('ws-one', '-x')])).toThrow(/bad <workspaceId>/);
    expect(() => parseCommandLine(['egress-check', WS, '--subnet', WS])).toThrow(/--subnet must be a Microsoft.Network\/virtualNetworks\/subnets/);
    expect(() => parseCommandLine(['exfiltration', WS])).toThrow(/bad <subnetId>/);
  });

  it('audit-deployments --all; sharing is never iterated', () => {
    expect(parseWorkspaceCommand(['audit-deployments', '--all', '--json'])).toEqual({ command: 'audit-deployments-all', json: true });
    expect(parseWorkspaceCommand(['audit-deployments', '--all', '--subscriptions', SUB])).toEqual({ command: 'audit-deployments-all', json: false, subscriptionIds: [SUB.toLowerCase()] });
    expect(() => parseWorkspaceCommand(['audit-deployments', '--all', WS])).toThrow(/takes no <workspaceId>/);
    expect(() => parseWorkspaceCommand(['audit-deployments', WS, '--subscriptions', SUB])).toThrow(/--subscriptions goes with audit-deployments --all/);
    expect(() => parseWorkspaceCommand(['allow-sharing', '--all'])).toThrow(WorkspaceUsageError);
    expect(() => parseWorkspaceCommand(['allow-sharing', '--all'])).toThrow(/one registry in on one workspace's storage account/);
  });
});
