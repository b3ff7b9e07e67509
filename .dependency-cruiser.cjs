/**
 * Layer rules (ARCHITECTURE.md, "Components and layers"), checked by `npm run layers` (part of
 * `npm test`). The layout is by feature with layers inside: src/<feature>/{domain,activities}/,
 * its *.workflow.ts, its drivers, functions.ts (registrations) and cli.ts. The rules are
 * patterns over that layout, so a new feature folder is covered without editing this file.
 */
const FEATURES = '(hardening|sweep|network|workspaces|fleet|report)';

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    { name: 'src-not-to-local-or-test', comment: 'Production code never knows the local tools, tests, benchmarks or build tools exist.',
      severity: 'error', from: { path: '^src/' }, to: { path: '^(local|test|bench|tools)/' } },
    { name: 'domain-is-pure', comment: "A feature's domain/ imports only src/shared/ and domain/ code (its own, or the published model of a feature it builds on, e.g. sweep on hardening, fleet on network): no SDK, no adapters, no config, no node built-ins.",
      severity: 'error', from: { path: `^src/${FEATURES}/domain/` },
      to: { pathNot: [`^src/${FEATURES}/domain/`, '^src/shared/'] } },
    { name: 'shared-is-pure', comment: 'src/shared/ is the vocabulary every feature uses: it imports nothing but itself (and node:crypto for hashing).',
      severity: 'error', from: { path: '^src/shared/' }, to: { pathNot: ['^src/shared/', '^crypto$', '^node:crypto$'] } },
    { name: 'workflow-no-io', comment: 'A *.workflow.ts yields effects: it imports no adapter, no config, no activity code, no SDK.',
      severity: 'error', from: { path: '\\.workflow\\.ts$' },
      to: { path: ['^src/(azure|config|http|cli)/', '^src/main\\.ts$', `^src/${FEATURES}/activities/(?!contracts\\.ts$|retry-policies\\.ts$)`, '^node_modules/'] } },
    { name: 'features-not-into-each-other', comment: "A feature may use another feature's domain/ (its published model) or its index.ts, never its activities, workflows, drivers, triggers or CLI.",
      severity: 'error', from: { path: `^src/${FEATURES}/` },
      to: { path: `^src/${FEATURES}/`, pathNot: [`^src/$1/`, `^src/${FEATURES}/domain/`, `^src/${FEATURES}/index\\.ts$`] } },
    { name: 'adapters-not-up', comment: 'Adapters implement ports; they do not reach up into features, HTTP, the CLI or the composition root.',
      severity: 'error', from: { path: '^src/azure/' }, to: { path: [`^src/${FEATURES}/(?!domain/)`, '^src/(http|cli)/', '^src/main\\.ts$'] } },
    { name: 'config-not-up', comment: 'Settings are read and validated without knowing who uses them.',
      severity: 'error', from: { path: '^src/config/' }, to: { path: [`^src/${FEATURES}/(?!domain/)`, '^src/(azure|http|cli)/', '^src/main\\.ts$'] } },
    { name: 'sdk-on-first-use', comment: "The Azure SDK's client packages and the credential chain are src/azure/sdk.ts's alone: elsewhere in src/ their types only, so that a cold start neither reads nor compiles them (the deploy package builds sdk.ts into a file of its own).",
      severity: 'error', from: { path: '^src/', pathNot: '^src/azure/sdk\\.ts$' },
      to: { path: 'node_modules/@azure/(arm-[^/]+|eventgrid|identity)/', dependencyTypesNot: ['type-only'] } },
    { name: 'sdk-module-on-first-use', comment: 'src/azure/sdk.ts is loaded on first use: imported with import() (src/azure/client-factory.ts), or for its types.',
      severity: 'error', from: {}, to: { path: '^src/azure/sdk\\.ts$', dependencyTypesNot: ['dynamic-import', 'type-only'] } },
    { name: 'local-only-through-wire', comment: 'The local tools talk to the app over the wire, not by import.',
      severity: 'error', from: { path: '^local/' }, to: { path: '^(src|bench|tools)/' } },
    { name: 'not-to-unresolvable', severity: 'error', from: {}, to: { couldNotResolve: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^dist/' },
  },
};
