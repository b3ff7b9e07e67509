import { isWorkspaceCommand, parseWorkspaceCommand, WorkspaceUsageError } from '../../../src/workspaces/cli';

const SUB = '00000000-0000-0000-0000-0000000000a1';
const WS = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws1`;
const REG = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.MachineLearningServices/registries/reg1`;

describe('workspace commands', () => {
  it('recognises its commands', () => {
    expect(isWorkspaceCommand(['allow-sharing', WS, REG])).toBe(true);
    expect(isWorkspaceCommand(['--json', 'audit-deployments', WS])).toBe(true);
    expect(isWorkspaceCommand(['plan', REG])).toBe(false);
  });

  it('parses allow-sharing with --force and --json', () => {
    expect(parseWorkspaceCommand(['allow-sharing', WS, REG, '--force', '--json'])).toEqual({ command: 'allow-sharing', workspaceId: WS, registryId: REG, force: true, json: true });
    expect(parseWorkspaceCommand(['allow-sharing', WS, REG, '--force', '--reason', ' ticket 42 ', '--json'])).toEqual({ command: 'allow-sharing', workspaceId: WS, registryId: REG, force: true, reason: 'ticket 42', json: true });
    expect(() => parseWorkspaceCommand(['allow-sharing', WS, REG, '--force', '--reason', 'two\nlines'])).toThrow(/--reason must be one line/);
    expect(() => parseWorkspaceCommand(['audit-deployments', WS, '--reason', 'x'])).toThrow(/--reason goes with/);
  });

  it('parses audit-deployments with several workspaces, without duplicates', () => {
    expect(parseWorkspaceCommand(['audit-deployments', WS, WS.toUpperCase().replace('SUBSCRIPTIONS', 'subscriptions'), `${WS}2`])).toMatchObject({ workspaceIds: [WS, `${WS}2`] });
  });

  it.each([
    [['allow-sharing', WS], /takes <workspaceId> <registryId>/],
    [['allow-sharing', REG, REG], /bad <workspaceId>.*expected a Microsoft.MachineLearningServices\/workspaces id/],
    [['allow-sharing', WS, WS], /bad <registryId>.*expected a Microsoft.MachineLearningServices\/registries id/],
    [['allow-sharing', WS, REG, '--fix'], /^unknown option '--fix'$/],
    [['allow-sharing', WS, REG, '--froce'], /unknown option '--froce' \(did you mean '--force'\?\)/],
    [['audit-deployments'], /one or more <workspaceId>/],
    [['audit-deployments', WS, '--force'], /--force is not an option/],
    [['audit-deployments', 'not-an-id'], /bad <workspaceId>/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseWorkspaceCommand(argv)).toThrow(WorkspaceUsageError);
    expect(() => parseWorkspaceCommand(argv)).toThrow(message);
  });
});
