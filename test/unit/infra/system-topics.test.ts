import { evaluate, type Value } from './bicep-eval';
import { blockEntries, declarations, read, stripComments } from './bicep-text';
import { contextFor, deploy, MAIN, THIS_SUB } from './deployment';

const OTHER = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const PORTAL_TOPIC = `/subscriptions/${OTHER.toUpperCase()}/resourceGroups/rg-ops/providers/Microsoft.EventGrid/systemTopics/portal-made-topic`;
const EVENTS_PARAMS = blockEntries(MAIN, /^module events '/, 'params');

/** The parameters main.bicep gives the per-subscription events module, for each target. */
function eventsParams(values: Record<string, Value>, keys: string[]): Array<Record<string, Value>> {
  const ctx = contextFor(values);
  const targets = evaluate('targets', ctx) as string[];
  return targets.map((sub, i) => Object.fromEntries(keys.map((k) => {
    const expression = EVENTS_PARAMS.find(([key]) => key === k)?.[1];
    if (expression === undefined) throw new Error(`the events module has no parameter ${k}`);
    return [k, evaluate(expression, ctx, { sub, i })];
  })));
}

describe('one system topic per source: an existing one is shared', () => {
  it('the topic named in existingSystemTopicIds is attached to its subscription, matched case-insensitively; no group is created there', () => {
    const got = eventsParams({ targetSubscriptionIds: ` ${THIS_SUB}, ${OTHER.toUpperCase()} `, existingSystemTopicIds: ` ${PORTAL_TOPIC} ` }, ['existingSystemTopicId', 'createResourceGroup']);
    expect(got).toEqual([
      { existingSystemTopicId: '', createResourceGroup: false },
      { existingSystemTopicId: PORTAL_TOPIC, createResourceGroup: false },
    ]);
    expect(eventsParams({ targetSubscriptionIds: OTHER }, ['existingSystemTopicId', 'createResourceGroup'])).toEqual([{ existingSystemTopicId: '', createResourceGroup: true }]);
  });

  it.each([
    ['not a system topic id', '/subscriptions/x/resourceGroups/rg/providers/Microsoft.EventGrid/topics/t', /must be resource ids of Microsoft\.EventGrid\/systemTopics/],
    ['outside the targets', `/subscriptions/${OTHER}/resourceGroups/rg/providers/Microsoft.EventGrid/systemTopics/t`, /outside the target subscriptions/],
    ['two in one subscription', `/subscriptions/${THIS_SUB}/resourceGroups/a/providers/Microsoft.EventGrid/systemTopics/t1,/subscriptions/${THIS_SUB}/resourceGroups/b/providers/Microsoft.EventGrid/systemTopics/t2`, /two system topics in one subscription/],
  ])('existingSystemTopicIds %s is refused up front', (_what, ids, message) => {
    expect(deploy({ existingSystemTopicIds: ids }).refused).toMatch(message);
  });

  it('on a shared topic: no resource group or topic of ours, its identities and tags kept, our identity added, an event subscription named per environment', () => {
    const events = stripComments(read('infra/app/target-subscription-events.bicep'));
    expect(events).toMatch(/resource eventsGroup '[^']+' = if \(createResourceGroup && !shared\)/);
    expect(events).toMatch(/module existingTopic 'system-topic-existing\.bicep' = if \(shared\)/);
    expect(events).toMatch(/existingIdentity: shared \? existingTopic\.outputs\.identity : \{\}/);
    expect(events).toMatch(/tags: shared \? existingTopic\.outputs\.tags : tags/);
    expect(events).toMatch(/eventSubscriptionName: shared \? sharedEventSubscriptionName : 'aml-registry-writes'/);
    expect(EVENTS_PARAMS).toContainEqual(['sharedEventSubscriptionName', "'aml-registry-writes-${resourceToken}'"]);

    const grid = read('infra/app/eventgrid.bicep');
    const decls = declarations(grid);
    const identity = blockEntries(grid, /^resource systemTopic '/, 'identity');
    const identityOf = (existingIdentity: Value): Value => {
      const ctx = { params: { existingIdentity, identityId: '/ours' }, vars: decls.vars, conditions: decls.conditions, standIns: {} };
      const [type, uais] = [identity.find(([k]) => k === 'type')?.[1] ?? '', identity.find(([k]) => k === 'userAssignedIdentities')?.[1] ?? ''];
      // toObject/objectKeys are not in the evaluator: the kept keys are checked through the variable they read
      return { type: evaluate(type, ctx), kept: evaluate('keptUserIdentities', ctx), uais };
    };
    expect(identityOf({})).toEqual({ type: 'UserAssigned', kept: {}, uais: "union(toObject(objectKeys(keptUserIdentities), k => k, k => {}), { '${identityId}': {} })" });
    expect(identityOf({ type: 'SystemAssigned, UserAssigned', userAssignedIdentities: { '/theirs': { principalId: 'p', clientId: 'c' } } }))
      .toMatchObject({ type: 'SystemAssigned, UserAssigned', kept: { '/theirs': { principalId: 'p', clientId: 'c' } } });
    expect(identityOf({ type: 'SystemAssigned' })).toMatchObject({ type: 'SystemAssigned, UserAssigned' });
    // dead-lettering still writes with our identity, which the topic now carries
    expect(stripComments(grid)).toMatch(/deadLetterWithResourceIdentity:\s*\{\s*identity:\s*\{\s*type:\s*'UserAssigned'\s*userAssignedIdentity:\s*identityId/);
    expect(stripComments(grid)).toMatch(/parent: systemTopic\s*\n\s*name: eventSubscriptionName/);
  });

  it('azd passes EXISTING_SYSTEM_TOPIC_IDS, and docs/deploy.md says the topic is shared', () => {
    const file = JSON.parse(read('infra/main.parameters.json')) as { parameters: Record<string, { value: unknown }> };
    expect(file.parameters.existingSystemTopicIds?.value).toBe('${EXISTING_SYSTEM_TOPIC_IDS=}');
    expect(read('docs/deploy.md')).toMatch(/`EXISTING_SYSTEM_TOPIC_IDS`[^\n]*shared/);
  });
});

describe('names and ids', () => {
  it('system topic names are letters, digits and hyphens whatever the azd environment name', () => {
    for (const environmentName of ['dev', 'team_a.prod', 'x.y_z-1']) {
      for (const { systemTopicName } of eventsParams({ environmentName, targetSubscriptionIds: `${THIS_SUB},${OTHER}` }, ['systemTopicName'])) {
        expect(systemTopicName).toMatch(/^[A-Za-z0-9-]{3,128}$/);
      }
    }
  });

  it('the custom role name carries the resource token (role names are unique in the tenant)', () => {
    const role = read('infra/app/lockdown-role.bicep');
    const roleName = blockEntries(role, /^resource roleDefinition '/, 'properties').find(([k]) => k === 'roleName')?.[1] ?? '';
    const name = (environmentName: string, resourceToken: string): Value => evaluate(roleName, { params: { environmentName, resourceToken }, vars: {}, conditions: {}, standIns: {} });
    expect(name('prod', 'abc123')).not.toEqual(name('prod', 'def456'));
    expect(blockEntries(MAIN, /^module lockdownRole '/, 'params')).toContainEqual(['resourceToken', 'resourceToken']);
  });

  it('subscription ids are compared lower-cased and trimmed: this subscription typed in upper case gets no extra group, and duplicates collapse', () => {
    const ctx = contextFor({ targetSubscriptionIds: ` ${THIS_SUB.toUpperCase()} ,${OTHER}, ${OTHER.toUpperCase()}` });
    expect(evaluate('targets', ctx)).toEqual([THIS_SUB, OTHER]);
    expect(eventsParams({ targetSubscriptionIds: ` ${THIS_SUB.toUpperCase()} ` }, ['createResourceGroup'])).toEqual([{ createResourceGroup: false }]);
  });
});
