import type { Value } from './bicep-eval';
import { evaluate } from './bicep-eval';
import { read, stripComments } from './bicep-text';
import { contextFor, CREATED_PE_SUBNET, CREATED_ZONE_IDS, deploy, instancesOf, LZ_APP_SUBNET, LZ_PE_SUBNET, moduleContext, moduleParams, STAND_INS, template, THIS_SUB, ZONE_IDS } from './deployment';

/**
 * The deployment's own posture, evaluated for chosen parameters: the app's storage, its private
 * endpoints and zones, who may reach the function app, the outcome topic, local auth of the
 * monitoring resources.
 */
const MAIN = template('infra/main.bicep');
const STORAGE = template('infra/app/storage.bicep');
const brought = { appSubnetId: LZ_APP_SUBNET, privateEndpointSubnetId: LZ_PE_SUBNET, ...ZONE_IDS };

const propertiesOf = (t: ReturnType<typeof template>, symbol: string, given: Record<string, Value>, standIns: Record<string, Value> = {}): Record<string, Value> => {
  const [one] = instancesOf(t, symbol, moduleContext(t, given, standIns), ['properties']);
  if (!one) throw new Error(`${t.path}: ${symbol} is not deployed`);
  return one.properties as Record<string, Value>;
};

/** main.bicep's private endpoints of the app's own resources: kind → its module parameters. */
function appEndpoints(values: Record<string, Value>): Record<string, Record<string, Value>> {
  return Object.fromEntries(instancesOf(MAIN, 'appEndpoints', contextFor(values), ['params']).map(({ params }) => [String((params as Record<string, Value>).groupId), params as Record<string, Value>]));
}

describe('the app\'s storage: no public network access; dead letters in an account closed to every network but trusted Azure services', () => {
  const given = moduleParams('storage', {});

  it('the host account (deployment package, durable task hub): public network access Disabled, every network denied, no bypass, no shared key', () => {
    const p = propertiesOf(STORAGE, 'storage', given);
    expect(p).toMatchObject({ publicNetworkAccess: 'Disabled', allowSharedKeyAccess: false, allowBlobPublicAccess: false, minimumTlsVersion: 'TLS1_2' });
    expect(p.networkAcls).toEqual({ defaultAction: 'Deny', bypass: 'None', ipRules: [], virtualNetworkRules: [] });
  });

  it('the dead-letter account: no network allowed (Deny, no rules), only the trusted-services bypass Event Grid writes through with its identity; no shared key', () => {
    const p = propertiesOf(STORAGE, 'deadLetterStorage', given);
    expect(p).toMatchObject({ publicNetworkAccess: 'Enabled', allowSharedKeyAccess: false, allowBlobPublicAccess: false });
    expect(p.networkAcls).toEqual({ defaultAction: 'Deny', bypass: 'AzureServices', ipRules: [], virtualNetworkRules: [] });
    expect(given.deadLetterAccountName).toMatch(/^stdl[a-z0-9]{13}$/);
  });

  it('Event Grid dead-letters to that account, and the identity may write its blobs there', () => {
    const ctx = contextFor({});
    const events = instancesOf(MAIN, 'events', ctx, ['params'])[0]?.params as Record<string, Value>;
    expect(events.deadLetterStorageAccountId).toBe(STAND_INS['storage.outputs.deadLetterAccountId']);
    const rbac = template('infra/app/rbac.bicep');
    const p = propertiesOf(rbac, 'deadLetterWriter', moduleParams('rbac', {}));
    expect(p.roleDefinitionId).toMatch(/\/roleDefinitions\/ba92f5b4-2d11-453d-a403-e96b0029c9fe$/); // Storage Blob Data Contributor
    expect(stripComments(read('infra/app/rbac.bicep'))).toMatch(/resource deadLetterWriter '[^']+' = \{\s*name: [^\n]+\n\s*scope: deadLetterStorage\n/);
  });
});

describe('private endpoints of the app\'s own resources, with their zones', () => {
  it('created network: blob, queue and table of the host account in the created endpoint subnet, each registered in its created zone', () => {
    const pe = appEndpoints({});
    expect(Object.keys(pe)).toEqual(['blob', 'queue', 'table']);
    for (const [kind, zone] of [['blob', 1], ['queue', 3], ['table', 4]] as const) {
      expect(pe[kind]).toMatchObject({ subnetId: CREATED_PE_SUBNET, targetId: STAND_INS['storage.outputs.id'], privateDnsZoneId: CREATED_ZONE_IDS[zone] });
    }
    expect(evaluate('appPeScope', contextFor({}))).toEqual({ subscriptionId: THIS_SUB, resourceGroup: 'rg-dev' });
    expect(moduleParams('dnsZones', {}).zoneNames).toEqual(['privatelink.api.azureml.ms', 'privatelink.blob.core.windows.net', 'privatelink.azurecr.io', 'privatelink.queue.core.windows.net', 'privatelink.table.core.windows.net']);
  });

  it('the function app starts only once its storage endpoints exist', () => {
    expect(stripComments(read('infra/main.bicep'))).toMatch(/module functionApp '[^']+' = \{[\s\S]*?dependsOn: \[rbac, appEndpoints\]\n\}/);
  });

  it('network brought: in the endpoint subnet (its subscription, its group when that is another subscription), registered in the given zones; queue and table zones are required', () => {
    const pe = appEndpoints(brought);
    expect(pe.queue).toMatchObject({ subnetId: LZ_PE_SUBNET, privateDnsZoneId: ZONE_IDS.privateDnsZoneIdQueue });
    expect(pe.table?.privateDnsZoneId).toBe(ZONE_IDS.privateDnsZoneIdTable);
    expect(pe.blob?.privateDnsZoneId).toBe(ZONE_IDS.privateDnsZoneIdBlob);
    expect(evaluate('appPeScope', contextFor(brought))).toEqual({ subscriptionId: '99999999-0000-0000-0000-000000000009', resourceGroup: 'rg-landing-zone' });
    const { privateDnsZoneIdQueue: _q, ...withoutQueue } = brought;
    expect(deploy(withoutQueue).refused).toMatch(/PRIVATE_DNS_ZONE_ID_QUEUE and PRIVATE_DNS_ZONE_ID_TABLE are required when the zones are not created/);
  });

  it('APP_PRIVATE_ENDPOINT_SUBNET_ID: a subnet of this subscription the app reaches; the endpoints then go to the app\'s group', () => {
    const mine = `/subscriptions/${THIS_SUB}/resourceGroups/rg-spoke/providers/Microsoft.Network/virtualNetworks/vnet-app/subnets/snet-pe`;
    const values = { ...brought, appPrivateEndpointSubnetId: mine };
    expect(appEndpoints(values).blob?.subnetId).toBe(mine);
    expect(evaluate('appPeScope', contextFor(values))).toEqual({ subscriptionId: THIS_SUB, resourceGroup: 'rg-dev' });
    // the registries' endpoints stay where they were configured
    expect(moduleParams('functionApp', values).appSettings).toMatchObject({ PRIVATE_ENDPOINT_SUBNET_ID: LZ_PE_SUBNET });
    expect(deploy({ ...brought, appPrivateEndpointSubnetId: 'snet-pe' }).refused).toMatch(/APP_PRIVATE_ENDPOINT_SUBNET_ID must be the resource id of a subnet/);
  });

  it('private-endpoint.bicep: one connection to the target\'s sub-resource, in the subnet, and a zone group in the zone', () => {
    const t = template('infra/app/private-endpoint.bicep');
    const given = { name: 'pep-queue-tok', location: 'westeurope', tags: {}, subnetId: CREATED_PE_SUBNET, targetId: 'st-id', groupId: 'queue', privateDnsZoneId: CREATED_ZONE_IDS[3] ?? '' };
    expect(propertiesOf(t, 'endpoint', given)).toEqual({
      subnet: { id: CREATED_PE_SUBNET },
      privateLinkServiceConnections: [{ name: 'pep-queue-tok', properties: { privateLinkServiceId: 'st-id', groupIds: ['queue'] } }],
    });
    expect(propertiesOf(t, 'zoneGroup', given)).toEqual({ privateDnsZoneConfigs: [{ name: 'privatelink-queue-core-windows-net', properties: { privateDnsZoneId: CREATED_ZONE_IDS[3] } }] });
  });
});

describe('the outcome topic can be private', () => {
  const topic = template('infra/app/outcome-topic.bicep');

  it('by default public (Entra only: local auth off), no endpoint', () => {
    expect(propertiesOf(topic, 'topic', moduleParams('outcomeTopic', {}))).toMatchObject({ publicNetworkAccess: 'Enabled', disableLocalAuth: true });
    expect(Object.keys(appEndpoints({}))).not.toContain('topic');
  });

  it('OUTCOME_TOPIC_PUBLIC_NETWORK_ACCESS=Disabled: public access off, a private endpoint in the app\'s endpoint subnet, zone privatelink.eventgrid.azure.net', () => {
    const values = { outcomeTopicPublicNetworkAccess: 'Disabled' };
    expect(propertiesOf(topic, 'topic', moduleParams('outcomeTopic', values))).toMatchObject({ publicNetworkAccess: 'Disabled', disableLocalAuth: true });
    expect(appEndpoints(values).topic).toMatchObject({ targetId: STAND_INS['outcomeTopic.outputs.id'], subnetId: CREATED_PE_SUBNET, privateDnsZoneId: CREATED_ZONE_IDS[5] });
    expect((moduleParams('dnsZones', values).zoneNames as string[]).at(-1)).toBe('privatelink.eventgrid.azure.net');
    expect(deploy({ ...brought, ...values }).refused).toMatch(/PRIVATE_DNS_ZONE_ID_EVENTGRID is required/);
    const zone = `${ZONE_IDS.privateDnsZoneIdBlob.replace(/privatelink\.blob\.core\.windows\.net$/, 'privatelink.eventgrid.azure.net')}`;
    expect(appEndpoints({ ...brought, ...values, privateDnsZoneIdEventGrid: zone }).topic?.privateDnsZoneId).toBe(zone);
  });
});

describe('who may reach the function app: Event Grid and the operators\' ranges', () => {
  const fa = template('infra/app/function-app.bicep');
  const web = (values: Record<string, Value>): Record<string, Value> => propertiesOf(fa, 'web', moduleParams('functionApp', values));

  it('by default only Event Grid (service tag AzureEventGrid); everything else denied', () => {
    expect(web({})).toEqual({
      ipSecurityRestrictions: [{ name: 'event-grid', description: 'Event Grid deliveries to onRegistryWrite', action: 'Allow', priority: 100, tag: 'ServiceTag', ipAddress: 'AzureEventGrid' }],
      ipSecurityRestrictionsDefaultAction: 'Deny',
      scmIpSecurityRestrictionsUseMain: false,
    });
  });

  it('OPERATOR_IP_RANGES adds one Allow rule per range, after Event Grid; anything that is not a CIDR range is refused up front', () => {
    const rules = web({ operatorIpRanges: ' 203.0.113.0/24, 198.51.100.7/32 ,' }).ipSecurityRestrictions as Array<Record<string, Value>>;
    expect(rules.map((r) => [r.name, r.priority, r.ipAddress, r.action])).toEqual([
      ['event-grid', 100, 'AzureEventGrid', 'Allow'],
      ['operator-1', 200, '203.0.113.0/24', 'Allow'],
      ['operator-2', 201, '198.51.100.7/32', 'Allow'],
    ]);
    expect(deploy({ operatorIpRanges: '203.0.113.7' }).refused).toMatch(/OPERATOR_IP_RANGES must be address ranges in CIDR notation/);
    expect(read('infra/main.parameters.json')).toContain('"operatorIpRanges": { "value": "${OPERATOR_IP_RANGES=}" }');
  });
});

describe('local auth off on the monitoring resources', () => {
  const monitoring = template('infra/app/monitoring.bicep');
  const given = moduleParams('monitoring', {});

  it('Log Analytics: disableLocalAuth; Application Insights: DisableLocalAuth', () => {
    expect(propertiesOf(monitoring, 'logAnalytics', given).features).toEqual({ disableLocalAuth: true });
    expect(propertiesOf(monitoring, 'applicationInsights', given, { logAnalytics: { id: 'law-id' } })).toMatchObject({ DisableLocalAuth: true, WorkspaceResourceId: 'law-id' });
  });
});
