import { resolve } from 'node:path';
import { loadOrCreateDevCa } from './ca';

/** `node dist/local/azure-sim/dev-ca.js [dir]`: makes sure the development CA exists; prints its file. */
export const DEFAULT_DEV_CA_DIR = resolve(process.cwd(), '.sandbox', 'dev-ca');

if (require.main === module) {
  const ca = loadOrCreateDevCa(process.argv[2] ?? DEFAULT_DEV_CA_DIR);
  process.stdout.write(`${ca.certFile}\n`);
}
