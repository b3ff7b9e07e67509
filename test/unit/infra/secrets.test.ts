import { bicepFiles, outputs, params, read, stripComments } from './bicep-text';

const SECRETISH = /(KEY|SECRET|PASSWORD|CONNECTION_?STRING|SAS|TOKEN)/i;

describe('no secrets or keys in the infra', () => {
  const files = bicepFiles();

  it('reads several bicep files', () => {
    expect(files.map(([p]) => p)).toEqual(expect.arrayContaining(['infra/main.bicep', 'infra/app/function-app.bicep', 'infra/app/eventgrid.bicep', 'infra/app/rbac.bicep', 'infra/app/lockdown-role.bicep']));
  });

  it.each(files)('%s lists no keys and builds no key-based connection strings', (_path, text) => {
    const code = stripComments(text);
    expect(code).not.toMatch(/\blist[A-Za-z]*\(/); // listKeys(), listConnectionStrings(), listCredentials(), …
    expect(code).not.toMatch(/\.list[A-Za-z]*\(/);
    expect(code).not.toMatch(/AccountKey=|SharedAccessKey|SharedAccessSignature|primaryKey|secondaryKey/i);
    expect(code).not.toMatch(/@secure\(\)\s*\n\s*output/);
  });

  it.each(files)('%s has no secret-looking outputs or parameters', (_path, text) => {
    for (const o of outputs(text)) {
      expect(o.secure).toBe(false);
      expect(o.name).not.toMatch(SECRETISH);
    }
    for (const p of params(text)) {
      expect(p.secure).toBe(false);
      expect(p.name).not.toMatch(/(key|secret|password|connectionString|sas)$/i);
    }
  });

  it('main.parameters.json carries no secret values', () => {
    const text = read('infra/main.parameters.json');
    const file = JSON.parse(text) as { parameters: Record<string, { value?: unknown; reference?: unknown }> };
    for (const [name, p] of Object.entries(file.parameters)) {
      expect(name).not.toMatch(SECRETISH);
      expect(p.reference).toBeUndefined(); // no Key Vault references: nothing secret is needed
    }
    expect(text).not.toMatch(/AccountKey=|SharedAccessKey/i);
  });

  it('shared-key and local auth are off wherever they exist', () => {
    expect(stripComments(read('infra/app/storage.bicep'))).toMatch(/allowSharedKeyAccess:\s*false/);
    expect(stripComments(read('infra/app/monitoring.bicep'))).toMatch(/DisableLocalAuth:\s*true/);
    expect(stripComments(read('infra/app/outcome-topic.bicep'))).toMatch(/disableLocalAuth:\s*true/);
  });
});
