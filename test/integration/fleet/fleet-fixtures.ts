/**
 * A small fleet on the simulator for the fleet reports (HTTP and CLI): in the simulator's
 * subscription three workspaces made through ARM as the demo user —
 *   ws-fleet-a: a compute cluster in snet-ws and a compute instance in snet-sep (both NSG nsg-ws,
 *               rules missing / shadowed; neither carries the ML-alias policy), and an online
 *               deployment of a registry model with public egress (a finding);
 *   ws-fleet-b: no compute (nothing to check for egress / exfiltration), no deployment;
 *   ws-fleet-c: a compute cluster in snet-ws too (the subnet is read once per report).
 * A second target subscription is made unreadable by the test (unreadableSubscription).
 */
import type { TokenCredential } from '@azure/core-auth';
import type { AzureSim } from '../../../local/azure-sim/server';
import { layOutWorkspaceSubnets, type WorkspaceSubnets } from '../network/egress-network';
import { createCompute, createDeployment, createEndpoint, createStorage, createWorkspace, ensureResourceGroup } from '../workspaces/workspace-fixtures';

export const OTHER_SUB = '00000000-0000-0000-0000-0000000000c7';

export interface Fleet {
  net: WorkspaceSubnets;
  a: string;
  b: string;
  c: string;
}

export async function layOutFleet(sim: AzureSim, user: TokenCredential): Promise<Fleet> {
  const net = await layOutWorkspaceSubnets(sim, user);
  await ensureResourceGroup(sim, user);
  const a = await createWorkspace(sim, user, 'ws-fleet-a', await createStorage(sim, user, 'stfleeta', {}));
  const b = await createWorkspace(sim, user, 'ws-fleet-b', await createStorage(sim, user, 'stfleetb', {}));
  const c = await createWorkspace(sim, user, 'ws-fleet-c', await createStorage(sim, user, 'stfleetc', {}));
  await createCompute(sim, user, a, 'cpu-a', 'AmlCompute', net.subnetId);
  await createCompute(sim, user, a, 'ci-a', 'ComputeInstance', net.sepSubnetId);
  await createCompute(sim, user, c, 'cpu-c', 'AmlCompute', net.subnetId);
  const endpoint = await createEndpoint(sim, user, a, 'ep-a');
  await createDeployment(sim, user, endpoint, 'blue', { model: 'azureml://registries/sharedreg/models/m/versions/1', egressPublicNetworkAccess: 'Enabled' });
  return { net, a, b, c };
}
