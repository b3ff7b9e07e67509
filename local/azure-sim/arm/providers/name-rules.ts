/**
 * Azure's naming rules for the Microsoft.Network resources this simulator creates, from the
 * "Naming rules and restrictions for Azure resources" page (MicrosoftDocs/azure-docs
 * articles/azure-resource-manager/management/resource-name-rules.md, section Microsoft.Network):
 * alphanumerics, underscores, periods and hyphens; start with an alphanumeric; end with an
 * alphanumeric or an underscore; the lengths below. privateDnsZoneGroups and their zone configs
 * and serviceEndpointPolicyDefinitions are not listed there: the Network provider's common
 * 1–80 rule is assumed (inferred).
 *
 * The refusal, 400 `InvalidResourceName` with "Resource name X is invalid. The name can be up to
 * N characters long. It must begin with a word character, and it must end with a word character
 * or with '_'. The name may contain word characters or '.', '-', '_'.", is ARM's answer as quoted
 * in public deployment logs (the code and the 80-character text; the 64 of private endpoints
 * follows the rule, its wording is inferred).
 */
import { ArmError } from '../errors';

export interface NameRule {
  min: number;
  max: number;
}

export const NETWORK_NAME_RULES = {
  privateEndpoints: { min: 2, max: 64 },
  virtualNetworks: { min: 2, max: 64 },
  subnets: { min: 1, max: 80 },
  networkInterfaces: { min: 1, max: 80 },
  networkSecurityGroups: { min: 1, max: 80 },
  securityRules: { min: 1, max: 80 },
  serviceEndpointPolicies: { min: 1, max: 80 },
  serviceEndpointPolicyDefinitions: { min: 1, max: 80 },
  privateDnsZoneGroups: { min: 1, max: 80 },
  privateDnsZoneConfigs: { min: 1, max: 80 },
} as const satisfies Record<string, NameRule>;

export type NetworkNamed = keyof typeof NETWORK_NAME_RULES;

export function isValidNetworkName(name: string, rule: NameRule): boolean {
  if (name.length < rule.min || name.length > rule.max) return false;
  return name.length === 1 ? /^[A-Za-z0-9]$/.test(name) : /^[A-Za-z0-9][A-Za-z0-9_.-]*[A-Za-z0-9_]$/.test(name);
}

/** 400 InvalidResourceName unless `name` follows the rule of its resource type. */
export function requireNetworkName(kind: NetworkNamed, name: string): void {
  const rule = NETWORK_NAME_RULES[kind];
  if (isValidNetworkName(name, rule)) return;
  throw new ArmError(
    400,
    'InvalidResourceName',
    `Resource name ${name} is invalid. The name can be up to ${rule.max} characters long. It must begin with a word character, and it must end with a word character or with '_'. The name may contain word characters or '.', '-', '_'.`,
  );
}
