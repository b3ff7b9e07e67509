import { ArmTypes, armIdOf } from '../../../src/shared/arm-id';
import { parseCommandLine, UsageError, type Command } from '../../../src/cli/args';
import { ProgressDisplay } from '../../../src/cli/render';
import { statusExitCode, statusUrl } from '../../../src/hardening/cli';
import { initialSteps, withStep } from '../../../src/hardening/domain/progress';
import { parseRegistryId } from '../../../src/hardening/domain/registry';

const SUB = '00000000-0000-0000-0000-0000000000a1';
const REG = `/subscriptions/${SUB}/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/registries/reg1`;
const SUBNET = `/subscriptions/${SUB}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/snet`;

function usageMessage(argv: string[]): string {
  try {
    parseCommandLine(argv);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error(`expected a UsageError for ${JSON.stringify(argv)}`);
}

describe('parseCommandLine', () => {
  it('parses plan and apply with their flags', () => {
    expect(parseCommandLine(['plan', REG])).toEqual<Command>({ command: 'plan', registry: parseRegistryId(REG), json: false, publish: true });
    expect(parseCommandLine(['apply', REG, '--json', '--no-publish', '--poll-seconds', '2.5', '--subnet', SUBNET, '--settings', 'local.settings.json'])).toEqual<Command>({
      command: 'apply', registry: parseRegistryId(REG), json: true, publish: false, pollSeconds: 2.5, subnetId: armIdOf(SUBNET, ArmTypes.subnet), settingsFile: 'local.settings.json',
    });
    expect(parseCommandLine(['--json', 'apply', REG])).toMatchObject({ command: 'apply', json: true });
  });

  it('parses verify-dns, discovery and status', () => {
    expect(parseCommandLine(['verify-dns', REG, '--subnet', SUBNET])).toEqual<Command>({ command: 'verify-dns', registry: parseRegistryId(REG), json: false, subnetId: armIdOf(SUBNET, ArmTypes.subnet) });
    expect(parseCommandLine(['discovery', 'westeurope', 'reg1', '--json'])).toEqual<Command>({ command: 'discovery', region: 'westeurope', registryName: 'reg1', json: true });
    expect(parseCommandLine(['status', REG, '--api', 'https://func.example.net/api/', '--app-id', '3F6B1E2A-9C4D-4E8F-A1B2-C3D4E5F60718'])).toEqual<Command>({
      command: 'status', registry: parseRegistryId(REG), json: false, api: 'https://func.example.net', appId: '3f6b1e2a-9c4d-4e8f-a1b2-c3d4e5f60718',
    });
    expect(() => parseCommandLine(['status', REG, '--api', 'https://func.example.net', '--app-id', 'not-a-guid'])).toThrow(/--app-id must be/);
    // a function key opens nothing on the HTTP API any more
    expect(() => parseCommandLine(['status', REG, '--api', 'https://func.example.net', '--key', 'k'])).toThrow();
    expect(parseCommandLine(['status', REG, '--api', 'http://127.0.0.1:7071'])).toEqual<Command>({ command: 'status', registry: parseRegistryId(REG), json: false, api: 'http://127.0.0.1:7071' });
  });

  it('help', () => {
    expect(parseCommandLine(['--help'])).toEqual({ command: 'help' });
    expect(parseCommandLine(['-h'])).toEqual({ command: 'help' });
    expect(parseCommandLine(['help'])).toEqual({ command: 'help' });
    expect(parseCommandLine(['plan', REG, '--help'])).toEqual({ command: 'help' });
  });

  it.each<[string[], RegExp]>([
    [[], /a command is required/],
    [['harden', REG], /unknown command 'harden': use one of plan, apply, .*allow-sharing, audit-deployments$/],
    [['aply', REG], /unknown command 'aply' \(did you mean 'apply'\?\)/],
    [['egres-check', SUBNET], /\(did you mean 'egress-check'\?\)/],
    [['allow-sharign'], /\(did you mean 'allow-sharing'\?\)/],
    [['plan'], /'plan' takes <registryId>; got nothing/],
    [['plan', REG, 'extra'], /'plan' takes <registryId>; got '.*' 'extra'/],
    [['discovery', 'westeurope'], /'discovery' takes <region> <name>/],
    [['plan', '/subscriptions/x/resourceGroups/rg/providers/Microsoft.MachineLearningServices/registries/r1'], /bad <registryId>: .*subscription id 'x' is not a GUID/],
    [['plan', `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.MachineLearningServices/registries/-bad-`], /bad <registryId>: '-bad-' is not a valid registry name/],
    [['plan', SUBNET], /bad <registryId>: .*expected a Microsoft.MachineLearningServices\/registries id/],
    [['plan', REG, '--frob'], /^unknown option '--frob'$/],
    [['plan', REG, '--jsno'], /^unknown option '--jsno' \(did you mean '--json'\?\)$/],
    [['plan', REG, '--subnte', SUBNET], /\(did you mean '--subnet'\?\)/],
    [['status', REG, '--apy', 'https://x'], /unknown option '--apy' \(did you mean '--api'\?\)/],
    [['plan', REG, '--json=yes'], /--json/],
    [['plan', REG, '--settings'], /--settings/],
    [['plan', REG, '--api', 'https://x'], /--api is not an option of 'plan'/],
    [['discovery', 'westeurope', 'reg1', '--subnet', SUBNET], /--subnet is not an option of 'discovery'/],
    [['status', REG, '--settings', 'f', '--api', 'https://x'], /--settings is not an option of 'status'/],
    [['apply', REG, '--poll-seconds', '0'], /--poll-seconds must be a number of seconds/],
    [['apply', REG, '--poll-seconds', '1e3'], /--poll-seconds must be a number of seconds/],
    [['apply', REG, '--subnet', REG], /--subnet must be a Microsoft.Network\/virtualNetworks\/subnets resource id/],
    [['discovery', 'eastus.evil.example', 'reg1'], /bad <region> 'eastus.evil.example'/],
    [['discovery', '127.0.0.1:1234', 'reg1'], /bad <region>/],
    [['discovery', 'eastus/../x', 'reg1'], /bad <region>/],
    [['discovery', 'westeurope', 'a'], /bad <name> 'a'/],
    [['discovery', 'westeurope', 'x'.repeat(200)], /bad <name>/],
    [['status', REG], /give --api/],
    [['status', REG, '--api', 'not a url'], /--api must be the function app's base URL/],
    [['status', REG, '--api', 'file:///etc/passwd'], /--api must be an http\(s\) URL/],
    [['status', REG, '--api', 'https://x?code=secret'], /must not carry a query/],
  ])('%j is bad usage', (argv, message) => {
    expect(usageMessage(argv)).toMatch(message);
  });
});

describe('status helpers', () => {
  it('builds the route from the registry id', () => {
    expect(statusUrl('https://func.example.net', parseRegistryId(REG))).toBe(`https://func.example.net/api/registries/${SUB}/rg-ml/reg1/harden`);
  });

  it('exit code: 0 while running or completed, 1 for failed runs, failed or not-found outcomes and errors', () => {
    expect(statusExitCode({ kind: 'status', body: { runtimeStatus: 'Running' } })).toBe(0);
    expect(statusExitCode({ kind: 'status', body: { runtimeStatus: 'Completed', output: { kind: 'Hardened' } } })).toBe(0);
    expect(statusExitCode({ kind: 'status', body: { runtimeStatus: 'Completed', output: { kind: 'Failed' } } })).toBe(1);
    // a typo'd or deleted registry: the run ended NotFound, which is no success
    expect(statusExitCode({ kind: 'status', body: { runtimeStatus: 'Completed', output: { kind: 'NotFound' } } })).toBe(1);
    expect(statusExitCode({ kind: 'status', body: { runtimeStatus: 'Completed', summary: { kind: 'NotFound' } } })).toBe(1);
    expect(statusExitCode({ kind: 'status', body: { runtimeStatus: 'Failed' } })).toBe(1);
    expect(statusExitCode({ kind: 'status', body: { runtimeStatus: 'Terminated' } })).toBe(1);
    expect(statusExitCode({ kind: 'neverRun', message: 'x' })).toBe(1);
    expect(statusExitCode({ kind: 'error', httpStatus: 500, code: 'HTTP.500', message: 'x' })).toBe(1);
  });
});

describe('ProgressDisplay', () => {
  const at = '2025-01-01T00:00:00.000Z';

  it('prints one line per step change when not on a terminal', () => {
    const out: string[] = [];
    const display = new ProgressDisplay({ write: (t) => out.push(t), isTTY: false }, 'title');
    let steps = initialSteps();
    display.update(steps);
    steps = withStep(steps, 'read', 'running', 're-reading', at);
    display.update(steps);
    display.update(steps);
    steps = withStep(steps, 'read', 'done', 'reg1: 1 region(s)', at);
    display.update(steps);
    expect(out.join('')).toBe('title\n  … read       running  re-reading\n  ✔ read       done     reg1: 1 region(s) (0 ms)\n');
  });

  it('redraws the block in place on a terminal', () => {
    const out: string[] = [];
    const display = new ProgressDisplay({ write: (t) => out.push(t), isTTY: true }, 'title');
    const steps = initialSteps();
    display.update(steps);
    display.update(withStep(steps, 'read', 'running', 'x', at));
    expect(out).toHaveLength(3);
    expect(out[1]).toBe(`\x1b[${steps.length + 1}A\x1b[J`);
  });
});
