/** What other features may use of workspaces: the deployments audit of one workspace. */
export { auditWorkspaceDeployments } from './activities/workspace-capabilities';
