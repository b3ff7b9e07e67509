import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Triggers } from '../../../src/shared/names';
import { ROOT, read, stripComments } from './bicep-text';

const eventGrid = stripComments(read('infra/app/eventgrid.bicep'));

describe('Event Grid wiring', () => {
  it('a system topic on the subscription\'s resource writes, with the user-assigned identity', () => {
    expect(eventGrid).toMatch(/'Microsoft\.EventGrid\/systemTopics@/);
    expect(eventGrid).toMatch(/topicType:\s*'Microsoft\.Resources\.Subscriptions'/);
    expect(eventGrid).toMatch(/source:\s*subscription\(\)\.id/);
  });

  it('delivers to the onRegistryWrite function through the AzureFunction endpoint type (no keys)', () => {
    expect(eventGrid).toMatch(/endpointType:\s*'AzureFunction'/);
    expect(eventGrid).toMatch(/resourceId:\s*'\$\{functionAppId\}\/functions\/\$\{functionName\}'/);
    expect(eventGrid).toContain(`param functionName string = '${Triggers.onRegistryWrite}'`);
    expect(eventGrid).not.toMatch(/WebHook|endpointUrl|code=/);
  });

  it('filters name the registry write operation, the success status and the event type', () => {
    expect(eventGrid).toMatch(/includedEventTypes:\s*\[\s*'Microsoft\.Resources\.ResourceWriteSuccess'\s*\]/);
    expect(eventGrid).toMatch(/operatorType:\s*'StringIn'\s*key:\s*'data\.operationName'\s*values:\s*\[\s*'Microsoft\.MachineLearningServices\/registries\/write'\s*\]/);
    expect(eventGrid).toMatch(/operatorType:\s*'StringIn'\s*key:\s*'data\.status'\s*values:\s*\[\s*'Succeeded'\s*\]/);
  });

  it('retries, then dead-letters to a blob container with the identity', () => {
    expect(eventGrid).toMatch(/retryPolicy:\s*\{\s*maxDeliveryAttempts:\s*30\s*eventTimeToLiveInMinutes:\s*1440\s*\}/);
    expect(eventGrid).toMatch(/deadLetterWithResourceIdentity:/);
    expect(eventGrid).toMatch(/endpointType:\s*'StorageBlob'/);
    expect(eventGrid).toMatch(/userAssignedIdentity:\s*identityId/);
  });

  it('the event subscription waits for the code (postdeploy hook), and one system topic is made per target subscription', () => {
    expect(eventGrid).toMatch(/= if \(deployEventSubscription\)/);
    const main = stripComments(read('infra/main.bicep'));
    expect(main).toMatch(/for \(sub, i\) in targets:[\s\S]*?scope:\s*subscription\(sub\)/);
    const azureYaml = read('azure.yaml');
    expect(azureYaml).toMatch(/^hooks:\s*\n[\s\S]*^ {2}postdeploy:/m);
    for (const script of ['infra/scripts/postdeploy.sh', 'infra/scripts/postdeploy.ps1']) {
      expect(azureYaml).toContain(`./${script}`);
      expect(existsSync(join(ROOT, script))).toBe(true);
      expect(read(script)).toContain('azd env set DEPLOY_EVENT_SUBSCRIPTIONS true');
    }
    expect(read('infra/main.parameters.json')).toContain('"${DEPLOY_EVENT_SUBSCRIPTIONS=false}"');
  });

  it('the outcome topic takes CloudEvents with local auth off, and the identity may send to it', () => {
    const topic = stripComments(read('infra/app/outcome-topic.bicep'));
    expect(topic).toMatch(/inputSchema:\s*'CloudEventSchemaV1_0'/);
    expect(topic).toMatch(/disableLocalAuth:\s*true/);
    const rbac = stripComments(read('infra/app/rbac.bicep'));
    expect(rbac).toMatch(/eventGridDataSender:\s*'d5a91429-5739-47e2-a06b-3470a27159e7'/);
    expect(rbac).toMatch(/scope:\s*outcomeTopic/);
  });
});

describe('azure.yaml', () => {
  it('one service, api, a TypeScript function app', () => {
    const yaml = read('azure.yaml');
    expect(yaml).toMatch(/services:\s*\n\s+api:\s*\n\s+project:\s*\.\s*\n\s+language:\s*ts\s*\n\s+host:\s*function/);
    const services = yaml.slice(yaml.indexOf('\nservices:'), yaml.indexOf('\nhooks:'));
    expect(services.match(/^ {2}[a-z][\w-]*:\s*$/gm)).toEqual(['  api:']);
    expect(yaml.slice(yaml.indexOf('\nhooks:')).match(/^ {2}[a-z][\w-]*:\s*$/gm)).toEqual(['  preprovision:', '  postdeploy:']);
  });
});
