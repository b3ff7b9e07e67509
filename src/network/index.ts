/** What other features may use of network (egress, exfiltration): the checks and their query schema. */
export { checkExfiltration, checkRegistryEgress } from './activities/registry-egress';
export { egressQuery, regionsOf } from './http-schemas';
