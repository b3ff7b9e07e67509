import { randomUUID } from 'node:crypto';
import type { ArmResource } from '../../store';
import type { ArmRequest, ArmResult, Provider, Route } from '../context';
import { ArmError, armErrors } from '../errors';
import { resourceId, sameId } from '../ids';
import { arrOf, clone, etag, recOf, requireBody, strOf, tagsOf, type SimState } from '../state';
import { requireNetworkName } from './name-rules';
import { cidrContains, networkPut, parseCidr } from './network-common';
import { normLocation, opPaths } from './operations';
import { beginPut, listRoutes, listTracked, requireLocation } from './tracked-resources';

const VNET = 'Microsoft.Network/virtualNetworks';
const SUBNET = 'Microsoft.Network/virtualNetworks/subnets';
const NSG = 'Microsoft.Network/networkSecurityGroups';
const SEP = 'Microsoft.Network/serviceEndpointPolicies';
export const NIC = 'Microsoft.Network/networkInterfaces';
export const PE = 'Microsoft.Network/privateEndpoints';

const DEFAULT_NSG_RULES: [string, string, string, string, string, string, number][] = [
  // name, access, direction, source, destination, description, priority
  ['AllowVnetInBound', 'Allow', 'Inbound', 'VirtualNetwork', 'VirtualNetwork', 'Allow inbound traffic from all VMs in VNET', 65000],
  ['AllowAzureLoadBalancerInBound', 'Allow', 'Inbound', 'AzureLoadBalancer', '*', 'Allow inbound traffic from azure load balancer', 65001],
  ['DenyAllInBound', 'Deny', 'Inbound', '*', '*', 'Deny all inbound traffic', 65500],
  ['AllowVnetOutBound', 'Allow', 'Outbound', 'VirtualNetwork', 'VirtualNetwork', 'Allow outbound traffic from all VMs to all VMs in VNET', 65000],
  ['AllowInternetOutBound', 'Allow', 'Outbound', '*', 'Internet', 'Allow outbound traffic from all VMs to Internet', 65001],
  ['DenyAllOutBound', 'Deny', 'Outbound', '*', '*', 'Deny all outbound traffic', 65500],
];

/** Child resources given inline (security rules, policy definitions): each checked, then shown provisioned. */
function childResources(parentId: string, parentType: string, childType: string, items: unknown, check: (name: string, properties: Record<string, unknown>) => void): ArmResource[] {
  return arrOf(items).map((item) => {
    const name = strOf(recOf(item).name) ?? '';
    const properties = recOf(recOf(item).properties);
    check(name, properties);
    return { id: `${parentId}/${childType}/${name}`, name, type: `${parentType}/${childType}`, etag: etag(), properties: { ...properties, provisioningState: 'Succeeded' } };
  });
}

/** The checks ARM makes on a security rule's properties (required fields, the custom-rule priority range). */
function checkSecurityRule(name: string, rp: Record<string, unknown>): void {
  for (const f of ['protocol', 'access', 'direction']) {
    if (!strOf(rp[f])) throw armErrors.invalidRequestContent(`Required property '${f}' not found in JSON. Path 'properties.securityRules[${name}].properties'`);
  }
  if (typeof rp.priority !== 'number' || rp.priority < 100 || rp.priority > 4096) {
    throw new ArmError(400, 'SecurityRuleInvalidPriority', `Security rule ${name} has invalid priority ${String(rp.priority)}. Value provided: ${String(rp.priority)} Allowed range 100-4096.`);
  }
}

/** Two rules of one NSG may not share priority and direction (inferred code: SecurityRuleConflict). */
function checkNoConflict(rule: ArmResource, others: readonly ArmResource[]): void {
  const p = recOf(rule.properties);
  const clash = others.find((o) => o !== rule && recOf(o.properties).priority === p.priority && String(recOf(o.properties).direction).toLowerCase() === String(p.direction).toLowerCase());
  if (clash) {
    throw new ArmError(400, 'SecurityRuleConflict', `Security rule ${clash.name} conflicts with rule ${rule.name}. Rules cannot have the same Priority and Direction. To learn more, see aka.ms/nsgrules.`);
  }
}

/** A subnet's service endpoint as ARM answers it: locations filled (the VNet's region unless given), provisioned. */
function serviceEndpointOf(entry: unknown, vnetLocation: string | undefined): Record<string, unknown> {
  const e = recOf(entry);
  const service = strOf(e.service);
  if (!service) throw armErrors.invalidRequestContent("Required property 'service' not found in JSON. Path 'properties.serviceEndpoints'");
  const given = arrOf(e.locations).filter((l): l is string => typeof l === 'string');
  return { ...e, service, locations: given.length > 0 ? given : vnetLocation ? [normLocation(vnetLocation)] : [], provisioningState: 'Succeeded' };
}

interface PreparedPut {
  body: Record<string, unknown>;
  id: string;
  existing: ArmResource | undefined;
  location: string;
}

/** Virtual networks, subnets, NSGs, service endpoint policies, and (read-only) network interfaces. */
export class NetworkProvider implements Provider {
  constructor(private readonly state: SimState) {}

  routes(): Route[] {
    const rg = '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network';
    const n = 'network' as const;
    return [
      { method: 'PUT', template: `${rg}/virtualNetworks/{name}`, apiGroup: n, handler: (r) => this.putVnet(r) },
      { method: 'GET', template: `${rg}/virtualNetworks/{name}`, apiGroup: n, handler: (r) => ({ status: 200, body: this.renderVnet(this.state.requireResource(this.id(r, 'virtualNetworks'))) }) },
      ...listRoutes(this.state, VNET, n, (v) => this.renderVnet(v)),
      { method: 'PUT', template: `${rg}/virtualNetworks/{name}/subnets/{subnetName}`, apiGroup: n, handler: (r) => this.putSubnet(r) },
      { method: 'GET', template: `${rg}/virtualNetworks/{name}/subnets/{subnetName}`, apiGroup: n, handler: (r) => ({ status: 200, body: this.renderSubnet(this.state.requireResource(`${this.id(r, 'virtualNetworks')}/subnets/${r.params.subnetName}`)) }) },
      { method: 'GET', template: `${rg}/virtualNetworks/{name}/subnets`, apiGroup: n, handler: (r) => this.state.page(r, this.subnetsOf(this.state.requireResource(this.id(r, 'virtualNetworks')).id)) },
      { method: 'PUT', template: `${rg}/networkSecurityGroups/{name}`, apiGroup: n, handler: (r) => this.putNsg(r) },
      { method: 'GET', template: `${rg}/networkSecurityGroups/{name}`, apiGroup: n, handler: (r) => ({ status: 200, body: clone(this.state.requireResource(this.id(r, 'networkSecurityGroups'))) }) },
      ...listRoutes(this.state, NSG, n),
      { method: 'PUT', template: `${rg}/networkSecurityGroups/{name}/securityRules/{ruleName}`, apiGroup: n, handler: (r) => this.putSecurityRule(r) },
      { method: 'GET', template: `${rg}/networkSecurityGroups/{name}/securityRules/{ruleName}`, apiGroup: n, handler: (r) => ({ status: 200, body: clone(this.requireRule(r, 'securityRules')) }) },
      { method: 'GET', template: `${rg}/networkSecurityGroups/{name}/securityRules`, apiGroup: n, handler: (r) => this.state.page(r, this.rulesOf(r, 'securityRules')) },
      { method: 'GET', template: `${rg}/networkSecurityGroups/{name}/defaultSecurityRules/{ruleName}`, apiGroup: n, handler: (r) => ({ status: 200, body: clone(this.requireRule(r, 'defaultSecurityRules')) }) },
      { method: 'GET', template: `${rg}/networkSecurityGroups/{name}/defaultSecurityRules`, apiGroup: n, handler: (r) => this.state.page(r, this.rulesOf(r, 'defaultSecurityRules')) },
      { method: 'PUT', template: `${rg}/serviceEndpointPolicies/{name}`, apiGroup: n, handler: (r) => this.putSep(r) },
      { method: 'GET', template: `${rg}/serviceEndpointPolicies/{name}`, apiGroup: n, handler: (r) => ({ status: 200, body: clone(this.state.requireResource(this.id(r, 'serviceEndpointPolicies'))) }) },
      ...listRoutes(this.state, SEP, n),
      { method: 'GET', template: `${rg}/networkInterfaces/{name}`, apiGroup: n, handler: (r) => ({ status: 200, body: clone(this.state.requireResource(this.id(r, 'networkInterfaces'))) }) },
      { method: 'GET', template: `${rg}/networkInterfaces`, apiGroup: n, handler: (r) => listTracked(this.state, r, NIC, true) },
    ];
  }

  private id(req: ArmRequest, type: string): string {
    return resourceId(req.params.subscriptionId ?? '', req.params.resourceGroupName ?? '', 'Microsoft.Network', type, req.params.name ?? '');
  }

  /** The checks of a PUT on a top-level network resource (resource group, deny assignment, body, location). */
  private prepare(req: ArmRequest, type: 'virtualNetworks' | 'networkSecurityGroups' | 'serviceEndpointPolicies'): PreparedPut {
    const id = this.id(req, type);
    const existing = beginPut(this.state, req, id, `Microsoft.Network/${type}/write`);
    requireNetworkName(type, req.params.name ?? '');
    const body = requireBody(req);
    return { body, id, existing, location: requireLocation(body, existing?.location) };
  }

  /** What every top-level network resource carries; the resourceGuid survives updates. */
  private envelope(req: ArmRequest, { body, id, existing, location }: PreparedPut, type: string, properties: Record<string, unknown>): ArmResource {
    return {
      id,
      name: req.params.name ?? '',
      type,
      location,
      tags: tagsOf(body.tags) ?? existing?.tags ?? {},
      etag: etag(),
      properties: { resourceGuid: strOf(recOf(existing?.properties).resourceGuid) ?? randomUUID(), ...properties },
    };
  }

  // ---- virtual networks & subnets -------------------------------------------------------

  private putVnet(req: ArmRequest): ArmResult {
    const put = this.prepare(req, 'virtualNetworks');
    const { body, id, existing } = put;
    const props = recOf(body.properties);
    const prefixes = arrOf(recOf(props.addressSpace).addressPrefixes).filter((p): p is string => typeof p === 'string');
    if (prefixes.length === 0 || prefixes.some((p) => !parseCidr(p))) {
      throw new ArmError(400, 'InvalidAddressPrefixFormat', `Address prefix ${prefixes.join(',') || '(none)'} of resource ${id} is not formatted correctly.`);
    }
    const vnet = this.envelope(req, put, VNET, {
      addressSpace: { addressPrefixes: prefixes },
      enableDdosProtection: false,
      virtualNetworkPeerings: [],
      privateEndpointVNetPolicies: 'Disabled',
      ...(props.dhcpOptions ? { dhcpOptions: props.dhcpOptions } : {}),
    });
    if (Array.isArray(props.subnets)) {
      const wanted = new Set<string>();
      for (const s of props.subnets) {
        const sr = recOf(s);
        const name = strOf(sr.name);
        if (!name) throw armErrors.invalidRequestContent("Required property 'name' not found in JSON. Path 'properties.subnets'");
        requireNetworkName('subnets', name);
        wanted.add(name.toLowerCase());
        this.writeSubnet(`${id}/subnets/${name}`, name, recOf(sr.properties), prefixes, 'Succeeded', put.location);
      }
      for (const s of this.state.store.list(SUBNET, id)) {
        if (!wanted.has(s.name.toLowerCase())) {
          if (this.subnetInUse(s.id)) throw new ArmError(400, 'InUseSubnetCannotBeDeleted', `Subnet ${s.name} is in use by ${this.subnetUsers(s.id)[0] ?? ''} and cannot be deleted.`);
          this.state.store.delete(s.id);
        }
      }
    }
    const result = networkPut(this.state, req, 'vnetCreate', vnet, !existing);
    return { ...result, body: this.renderVnet(vnet) };
  }

  private writeSubnet(id: string, name: string, props: Record<string, unknown>, vnetPrefixes: string[], provisioningState: string, vnetLocation: string | undefined): ArmResource {
    const prefix = strOf(props.addressPrefix) ?? strOf(arrOf(props.addressPrefixes)[0]);
    if (!prefix || !parseCidr(prefix)) throw new ArmError(400, 'InvalidAddressPrefixFormat', `Address prefix ${prefix ?? '(none)'} of resource ${id} is not formatted correctly.`);
    if (!vnetPrefixes.some((p) => cidrContains(p, prefix))) {
      throw new ArmError(400, 'NetcfgSubnetRangeOutsideVnet', `Subnet '${name}' is not valid because its IP address range is outside the IP address range of virtual network.`);
    }
    const subnet: ArmResource = {
      id,
      name,
      type: SUBNET,
      etag: etag(),
      properties: {
        addressPrefix: prefix,
        privateEndpointNetworkPolicies: strOf(props.privateEndpointNetworkPolicies) ?? 'Disabled',
        privateLinkServiceNetworkPolicies: strOf(props.privateLinkServiceNetworkPolicies) ?? 'Enabled',
        delegations: arrOf(props.delegations),
        serviceEndpoints: arrOf(props.serviceEndpoints).map((e) => serviceEndpointOf(e, vnetLocation)),
        ...(props.serviceEndpointPolicies ? { serviceEndpointPolicies: arrOf(props.serviceEndpointPolicies).map((p) => ({ id: strOf(recOf(p).id) })) } : {}),
        ...(props.networkSecurityGroup ? { networkSecurityGroup: { id: strOf(recOf(props.networkSecurityGroup).id) } } : {}),
        ...(props.routeTable ? { routeTable: { id: strOf(recOf(props.routeTable).id) } } : {}),
        provisioningState,
      },
    };
    for (const ref of [recOf(recOf(subnet.properties).networkSecurityGroup).id, ...arrOf(recOf(subnet.properties).serviceEndpointPolicies).map((p) => recOf(p).id)]) {
      if (typeof ref === 'string' && !this.state.store.get(ref)) throw armErrors.invalidResourceReference(ref, id);
    }
    return this.state.store.put(subnet);
  }

  private putSubnet(req: ArmRequest): ArmResult {
    const vnet = this.state.requireResource(this.id(req, 'virtualNetworks'));
    const body = requireBody(req);
    const name = req.params.subnetName ?? '';
    requireNetworkName('subnets', name);
    const id = `${vnet.id}/subnets/${name}`;
    // ARM's linked access checks: every resource the subnet references must be joinable by the caller
    const props = recOf(body.properties);
    const joins: [unknown, string][] = [
      [recOf(props.networkSecurityGroup).id, 'Microsoft.Network/networkSecurityGroups/join/action'],
      [recOf(props.routeTable).id, 'Microsoft.Network/routeTables/join/action'],
      [recOf(props.natGateway).id, 'Microsoft.Network/natGateways/join/action'],
      ...arrOf(props.serviceEndpointPolicies).map((p): [unknown, string] => [recOf(p).id, 'Microsoft.Network/serviceEndpointPolicies/join/action']),
    ];
    this.state.authorizeLinked(req, joins.flatMap(([ref, action]) => (typeof ref === 'string' ? [{ action, scope: ref }] : [])));
    const existing = this.state.store.get(id);
    const prefixes = arrOf(recOf(recOf(vnet.properties).addressSpace).addressPrefixes).filter((p): p is string => typeof p === 'string');
    const subnet = this.writeSubnet(id, existing?.name ?? name, recOf(body.properties), prefixes, 'Updating', vnet.location);
    subnet.location = vnet.location;
    const result = networkPut(this.state, req, 'subnetCreate', subnet, !existing);
    delete subnet.location;
    return { ...result, body: this.renderSubnet(subnet) };
  }

  private subnetUsers(subnetId: string): string[] {
    return this.state.store
      .list(NIC)
      .filter((nic) => arrOf(recOf(nic.properties).ipConfigurations).some((c) => sameId(strOf(recOf(recOf(recOf(c).properties).subnet).id), subnetId)))
      .map((n) => n.id);
  }

  private subnetInUse(subnetId: string): boolean {
    return this.subnetUsers(subnetId).length > 0;
  }

  subnetsOf(vnetId: string): ArmResource[] {
    return this.state.store.list(SUBNET, vnetId).map((s) => this.renderSubnet(s));
  }

  renderSubnet(subnet: ArmResource): ArmResource {
    const out = clone(subnet);
    const ipConfigurations: { id: string }[] = [];
    for (const nic of this.state.store.list(NIC)) {
      for (const c of arrOf(recOf(nic.properties).ipConfigurations)) {
        const cr = recOf(c);
        if (sameId(strOf(recOf(recOf(cr.properties).subnet).id), subnet.id)) ipConfigurations.push({ id: strOf(cr.id) ?? '' });
      }
    }
    const privateEndpoints = this.state.store
      .list(PE)
      .filter((pe) => sameId(strOf(recOf(recOf(pe.properties).subnet).id), subnet.id))
      .map((pe) => ({ id: pe.id }));
    out.properties = { ...(out.properties ?? {}), ...(ipConfigurations.length ? { ipConfigurations } : {}), ...(privateEndpoints.length ? { privateEndpoints } : {}) };
    return out;
  }

  renderVnet(vnet: ArmResource): ArmResource {
    const out = clone(vnet);
    out.properties = { ...(out.properties ?? {}), subnets: this.subnetsOf(vnet.id) };
    return out;
  }

  // ---- NSGs ---------------------------------------------------------------------------

  private putNsg(req: ArmRequest): ArmResult {
    const put = this.prepare(req, 'networkSecurityGroups');
    const { body, id, existing } = put;
    const props = recOf(body.properties);
    const rules = childResources(id, NSG, 'securityRules', props.securityRules, (name, rp) => {
      requireNetworkName('securityRules', name);
      checkSecurityRule(name, rp);
    });
    for (const rule of rules) checkNoConflict(rule, rules);
    const nsg = this.envelope(req, put, NSG, {
      securityRules: rules,
      defaultSecurityRules: DEFAULT_NSG_RULES.map(([name, access, direction, src, dst, description, priority]) => ({
        id: `${id}/defaultSecurityRules/${name}`,
        name,
        type: `${NSG}/defaultSecurityRules`,
        etag: etag(),
        properties: {
          provisioningState: 'Succeeded',
          description,
          protocol: '*',
          sourcePortRange: '*',
          destinationPortRange: '*',
          sourceAddressPrefix: src,
          destinationAddressPrefix: dst,
          access,
          priority,
          direction,
          sourcePortRanges: [],
          destinationPortRanges: [],
          sourceAddressPrefixes: [],
          destinationAddressPrefixes: [],
        },
      })),
    });
    return networkPut(this.state, req, 'nsgCreate', nsg, !existing);
  }

  // ---- security rules (child resources of an NSG, stored inline in it) --------------------

  private requireRule(req: ArmRequest, kind: 'securityRules' | 'defaultSecurityRules'): ArmResource {
    const nsg = this.state.requireResource(this.id(req, 'networkSecurityGroups'));
    const name = (req.params.ruleName ?? '').toLowerCase();
    const rule = this.rulesOf(req, kind).find((r) => r.name.toLowerCase() === name);
    if (!rule) throw armErrors.resourceNotFound(`${NSG}/${nsg.name}/${kind}/${req.params.ruleName ?? ''}`, req.params.resourceGroupName ?? '');
    return rule;
  }

  private rulesOf(req: ArmRequest, kind: 'securityRules' | 'defaultSecurityRules'): ArmResource[] {
    const nsg = this.state.requireResource(this.id(req, 'networkSecurityGroups'));
    return arrOf(recOf(nsg.properties)[kind]).map((r) => clone(r as ArmResource));
  }

  /**
   * PUT …/securityRules/{rule}: one rule created or replaced inside its NSG, the others untouched;
   * a second rule with the same priority and direction is refused (SecurityRuleConflict).
   */
  private putSecurityRule(req: ArmRequest): ArmResult {
    const nsg = this.state.requireResource(this.id(req, 'networkSecurityGroups'));
    const body = requireBody(req);
    const name = req.params.ruleName ?? '';
    requireNetworkName('securityRules', name);
    const properties = recOf(body.properties);
    checkSecurityRule(name, properties);
    const props = (nsg.properties ??= {});
    const current = arrOf(props.securityRules).map((r) => r as ArmResource);
    const existing = current.find((r) => r.name.toLowerCase() === name.toLowerCase());
    const rule: ArmResource = {
      id: `${nsg.id}/securityRules/${existing?.name ?? name}`,
      name: existing?.name ?? name,
      type: `${NSG}/securityRules`,
      etag: etag(),
      properties: { ...properties, provisioningState: 'Updating' },
    };
    const others = current.filter((r) => r !== existing);
    checkNoConflict(rule, others);
    const op = this.state.startLro(req, 'nsgCreate', rule.id, () => {
      const cur = arrOf(recOf(this.state.store.get(nsg.id)?.properties).securityRules).map((r) => recOf(r));
      const stored = cur.find((r) => strOf(r.id)?.toLowerCase() === rule.id.toLowerCase());
      if (stored) recOf(stored.properties).provisioningState = 'Succeeded';
      this.state.emitWrite(req, rule.id, 'write', { isUpdate: !!existing });
    }, {
      onFailed: () => {
        const cur = arrOf(recOf(this.state.store.get(nsg.id)?.properties).securityRules).map((r) => recOf(r));
        const stored = cur.find((r) => strOf(r.id)?.toLowerCase() === rule.id.toLowerCase());
        if (stored) recOf(stored.properties).provisioningState = 'Failed';
      },
    });
    props.securityRules = existing ? current.map((r) => (r === existing ? rule : r)) : [...current, rule];
    nsg.etag = etag();
    this.state.store.put(nsg);
    return {
      status: existing ? 200 : 201,
      body: clone(rule),
      headers: {
        'Azure-AsyncOperation': this.state.url(opPaths.networkStatus(this.state.subscriptionOf(nsg.id), normLocation(nsg.location) || 'global', op.id), req.apiVersion),
        ...this.state.retryAfter(req),
      },
    };
  }

  // ---- service endpoint policies --------------------------------------------------------

  private putSep(req: ArmRequest): ArmResult {
    const put = this.prepare(req, 'serviceEndpointPolicies');
    const { body, id, existing } = put;
    const props = recOf(body.properties);
    const defs = childResources(id, SEP, 'serviceEndpointPolicyDefinitions', props.serviceEndpointPolicyDefinitions, (name, dp) => {
      requireNetworkName('serviceEndpointPolicyDefinitions', name);
      if (!strOf(dp.service)) throw armErrors.invalidRequestContent(`Required property 'service' not found in JSON. Path 'properties.serviceEndpointPolicyDefinitions[${name}].properties'`);
    });
    const sep: ArmResource = {
      ...this.envelope(req, put, SEP, {
        serviceEndpointPolicyDefinitions: defs,
        contextualServiceEndpointPolicies: arrOf(props.contextualServiceEndpointPolicies),
        ...(props.serviceAlias ? { serviceAlias: props.serviceAlias } : {}),
      }),
      kind: '',
    };
    return networkPut(this.state, req, 'serviceEndpointPolicyCreate', sep, !existing);
  }
}
