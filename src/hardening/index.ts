/** What other features may use of hardening: starting runs, reading a registry and its targets, resolving names as the DNS proof does, the in-process run. */
export { findStatus, isActiveStatus, startHardening, type StartResult } from './starter';
export { readRegistry } from './activities/read-registry.activity';
export { inspectTargets } from './activities/inspect-targets.activity';
export { proveDns } from './activities/dns-proof.activity';
export { runHardening, type RunnerDeps } from './harden.in-process';
