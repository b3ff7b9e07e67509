/** Layer rules from ARCHITECTURE.md, checked by `npm run layers` (part of `npm test`). */
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    { name: 'src-not-to-local-or-test', comment: 'Production code never knows the local tools, tests or benchmarks exist.',
      severity: 'error', from: { path: '^src/' }, to: { path: '^(local|test|bench)/' } },
    { name: 'domain-is-pure', comment: 'domain imports no SDK, no adapters, no triggers.',
      severity: 'error', from: { path: '^src/domain/' },
      to: { path: '^(src/(azure|functions|activities|orchestrations|cli|config)/|node_modules/)' } },
    { name: 'orchestrations-no-adapters', comment: 'Orchestrators are deterministic: no adapters, no config, no activities code.',
      severity: 'error', from: { path: '^src/orchestrations/' },
      to: { path: '^(src/(azure|config|activities)/|src/functions/(?!names\\.ts$)|node_modules/@azure/(?!functions$))' } },
    { name: 'adapters-not-up', comment: 'Adapters do not reach up into triggers, orchestrations or activities.',
      severity: 'error', from: { path: '^src/azure/' }, to: { path: '^src/(functions|orchestrations|activities|cli)/' } },
    { name: 'local-only-through-wire', comment: 'The local tools talk to the app over the wire, not by import.',
      severity: 'error', from: { path: '^local/' }, to: { path: '^(src|bench)/' } },
    { name: 'not-to-unresolvable', severity: 'error', from: {}, to: { couldNotResolve: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^dist/' },
  },
};
