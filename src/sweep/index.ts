/** What other features may use of sweep: the target subscriptions (settings + management group). */
export { resolveTargetSubscriptions } from './activities/targets';
