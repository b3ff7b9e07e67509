// Writes infra/app/role-actions.json from the ONE permission list in src/azure/permissions.ts
// (compiled to dist/). Run through `npm run gen:role`, which builds first.
// `node tools/gen-role.mjs --check` exits 1 when the checked-in file is out of date.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { roleActionsDocument } = require(join(root, 'dist', 'src', 'azure', 'permissions.js'));
const target = join(root, 'infra', 'app', 'role-actions.json');
const text = `${JSON.stringify(roleActionsDocument(), null, 2)}\n`;

if (process.argv.includes('--check')) {
  let current = '';
  try { current = readFileSync(target, 'utf8'); } catch { /* missing */ }
  if (current !== text) {
    console.error(`${target} is out of date: run npm run gen:role`);
    process.exit(1);
  }
  console.log(`${target} is up to date`);
} else {
  writeFileSync(target, text);
  console.log(`wrote ${target}`);
}
