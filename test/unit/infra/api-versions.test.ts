import { bicepFiles, read, readmeTable, registryModules, resourceTypes } from './bicep-text';

const HEADING = 'Azure resources and API versions';

describe('every resource type and API version is listed in docs/deploy.md for review', () => {
  const used = bicepFiles().flatMap(([path, text]) => resourceTypes(text).map((r) => ({ ...r, path })));
  const table = readmeTable(read('docs/deploy.md'), HEADING);

  it('the bicep files declare resources', () => {
    expect(used.length).toBeGreaterThan(15);
  });

  it(`each 'Microsoft.X/y@version' in infra/**/*.bicep is a row of the docs/deploy.md table "${HEADING}"`, () => {
    const rows = new Set(table.map(([type, version]) => `${type.toLowerCase()}@${version}`));
    const missing = used.filter((u) => !rows.has(`${u.type.toLowerCase()}@${u.apiVersion}`)).map((u) => `${u.type}@${u.apiVersion} (${u.path})`);
    expect([...new Set(missing)]).toEqual([]);
  });

  it('the table lists nothing the bicep does not use (it stays the truth)', () => {
    const usedKeys = new Set(used.map((u) => `${u.type.toLowerCase()}@${u.apiVersion}`));
    const modules = new Set(bicepFiles().flatMap(([, text]) => registryModules(text)));
    const stale = table.filter(([type, version]) => !usedKeys.has(`${type.toLowerCase()}@${version}`) && !modules.has(`${type}:${version}`));
    expect(stale).toEqual([]);
  });

  it('one API version per resource type', () => {
    const byType = new Map<string, Set<string>>();
    for (const u of used) byType.set(u.type, (byType.get(u.type) ?? new Set()).add(u.apiVersion));
    expect([...byType].filter(([, v]) => v.size > 1).map(([t]) => t)).toEqual([]);
  });

  it('pinned Azure Verified Modules are listed too, with their version', () => {
    const modules = bicepFiles().flatMap(([, text]) => registryModules(text));
    expect(modules.length).toBeGreaterThan(0);
    for (const m of modules) {
      expect(m).toMatch(/^br\/public:avm\/res\/[a-z-]+\/[a-z-]+:\d+\.\d+\.\d+$/);
      const [path, version] = [m.slice(0, m.lastIndexOf(':')), m.slice(m.lastIndexOf(':') + 1)];
      expect(table).toContainEqual([path, version]);
    }
  });
});
