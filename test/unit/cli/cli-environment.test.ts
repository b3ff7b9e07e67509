import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliEnvironment, readSettingsFileValues, settingsIntoProcessEnv } from '../../../src/config/cli-environment';

function file(content: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'cli-env-')), 'local.settings.json');
  writeFileSync(path, content);
  return path;
}

describe('the CLI settings source', () => {
  it("reads a local.settings.json file's Values as strings", () => {
    expect(readSettingsFileValues(file(JSON.stringify({ IsEncrypted: false, Values: { A: 'x', N: 3, B: true } })))).toEqual({ A: 'x', N: '3', B: 'true' });
  });

  it.each([
    ['not json', /is not JSON/],
    ['{"Values": []}', /has no "Values" object/],
    ['{"values": {}}', /has no "Values" object/],
    ['{"Values": {"A": {"nested": 1}}}', /Values\.A must be a string/],
  ])('refuses %s with CONFIG.INVALID', (content, message) => {
    expect(() => readSettingsFileValues(file(content))).toThrow(message);
    expect(() => readSettingsFileValues(file(content))).toThrow(/^\[CONFIG\.INVALID\]/);
  });

  it('names a file it cannot read', () => {
    expect(() => readSettingsFileValues(join(tmpdir(), 'missing-dir-x', 'f.json'))).toThrow(/cannot read the settings file/);
  });

  it('the environment wins over the file', () => {
    process.env.CLI_ENV_TEST_SETTING = 'from-env';
    try {
      const env = cliEnvironment({ CLI_ENV_TEST_SETTING: 'from-file', ONLY_IN_FILE: 'f' });
      expect(env.CLI_ENV_TEST_SETTING).toBe('from-env');
      expect(env.ONLY_IN_FILE).toBe('f');
      expect(Object.isFrozen(env)).toBe(true);
    } finally {
      delete process.env.CLI_ENV_TEST_SETTING;
    }
  });

  it("puts the file's Values into a process environment where nothing is set (for the credential chain), never over a set one", () => {
    const env: NodeJS.ProcessEnv = { IDENTITY_HEADER: 'mine' };
    settingsIntoProcessEnv({ IDENTITY_ENDPOINT: 'http://127.0.0.1:1/msi/token', IDENTITY_HEADER: 'from-file' }, env);
    expect(env).toEqual({ IDENTITY_ENDPOINT: 'http://127.0.0.1:1/msi/token', IDENTITY_HEADER: 'mine' });
  });
});
