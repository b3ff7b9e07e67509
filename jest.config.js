/** @type {import('jest').Config} */
const project = (name, extra = {}) => ({
  displayName: name,
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: [`<rootDir>/test/${name}/**/*.test.ts`],
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
