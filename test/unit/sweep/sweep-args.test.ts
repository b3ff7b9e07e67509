import { parseCommandLine, UsageError } from '../../../src/cli/args';

describe('aml-lockdown sweep: command line', () => {
  const SUB = '00000000-0000-0000-0000-0000000000A1';

  it('defaults to a report; --apply, --subscriptions, --json, --no-publish, --poll-seconds', () => {
    expect(parseCommandLine(['sweep'])).toEqual({ command: 'sweep', apply: false, json: false, publish: true });
    expect(parseCommandLine(['sweep', '--apply', '--json', '--no-publish', '--poll-seconds', '2', '--subscriptions', `${SUB}, ${SUB.replace('A1', 'b2')}`])).toEqual({
      command: 'sweep', apply: true, json: true, publish: false, pollSeconds: 2,
      subscriptionIds: [SUB.toLowerCase(), '00000000-0000-0000-0000-0000000000b2'],
    });
  });

  it('refuses positionals, bad subscription ids and options of other commands', () => {
    expect(() => parseCommandLine(['sweep', 'extra'])).toThrow(UsageError);
    expect(() => parseCommandLine(['sweep', '--subscriptions', 'abc'])).toThrow(/--subscriptions must be comma-separated subscription ids \(GUIDs\), not 'abc'/);
    expect(() => parseCommandLine(['sweep', '--subscriptions', ','])).toThrow(/--subscriptions/);
    expect(() => parseCommandLine(['sweep', '--api', 'https://x'])).toThrow(/--api is not an option of 'sweep'/);
    expect(() => parseCommandLine(['plan', '--apply', '/subscriptions/x'])).toThrow(UsageError);
  });
});
