/** @type {import('jest').Config} */
const project = (name, extra = {}) => ({
  displayName: name,
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: [`<rootDir>/test/${name}/**/*.test.ts`],
  // tsconfig.json sets isolatedModules: ts-jest transpiles each file alone instead of holding a type
  // program of the whole project in every worker (types are checked by `npm run typecheck`): a worker
  // ends a run with ~300-400 MB instead of ~1-1.4 GB, and so exits within jest's 500 ms when told to
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json', diagnostics: false }] },
  // the local host's log goes to a file per suite, printed only when a test in it fails (test/test-logs.js)
  setupFilesAfterEnv: ['<rootDir>/test/test-log-setup.js'],
  ...extra,
});

module.exports = {
  projects: [project('unit'), project('local', { slowTestThreshold: 30 }), project('integration', { slowTestThreshold: 30 }), project('reliability', { slowTestThreshold: 60 })],
  testTimeout: 120000,
  // most suites wait on simulated Azure (timers, LRO polls, DNS deadlines), not on the CPU
  maxWorkers: 4,
  reporters: ['default', '<rootDir>/test/test-log-reporter.js', '<rootDir>/test/reliability/reporter.js', '<rootDir>/test/summary-reporter.js'],
};
