/**
 * The Azure SDK's client classes and the credential chain: most of the app's code by size, and
 * nothing a function needs to register. ./client-factory.ts imports this module only through
 * `import()`, on a client's (or the first token's) first use; the deploy package builds it into a
 * file of its own beside the bundle (tools/package-app.ts), so a cold start neither reads nor
 * compiles it. Every other file of src/ imports these packages' types only (`npm run layers`).
 */
export { NetworkManagementClient } from '@azure/arm-network';
export { StorageManagementClient } from '@azure/arm-storage';
export { ContainerRegistryManagementClient } from '@azure/arm-containerregistry';
export { ResourceManagementClient } from '@azure/arm-resources';
export { AzureMachineLearningWorkspaces } from '@azure/arm-machinelearning';
export { EventGridPublisherClient } from '@azure/eventgrid';
export { DefaultAzureCredential } from '@azure/identity';
