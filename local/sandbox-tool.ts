/**
 * `npm run -s sandbox -- <verb> …`: what a person does to the sandbox's Azure while `npm start`
 * serves, through ARM with a user's token (the demo user, never the app's identity), so that the
 * app sees it as it would in Azure — by Event Grid.
 *
 *   create-registry <name> [--regions a,b] [--subscription <id>] [--resource-group <rg>]
 *                   [--exempt] [--manual-approval] [--no-wait]
 *       creates the registry as `az ml registry create` would, then follows the app's run of it
 *       through its HTTP API (the reader's token) until it ends, or waits for an approval
 *   approve-connections <name> [--subscription <id>] [--resource-group <rg>]
 *       approves the registry's Pending private endpoint connections, as its owner would
 *
 * Reads .sandbox/endpoints.json (SANDBOX_DIR when set). Exit 0 done, 1 failed, 2 bad usage.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { createRegistry, DEMO, DEMO_USER, SANDBOX_DIR } from './world';

const REGISTRY_API = '2025-12-01';
const GROUPS_API = '2024-03-01';
const USAGE = `Usage (while npm start serves):
  npm run -s sandbox -- create-registry <name> [--regions a,b] [--subscription <id>] [--resource-group <rg>] [--exempt] [--manual-approval] [--no-wait] [--timeout <s>]
  npm run -s sandbox -- approve-connections <name> [--subscription <id>] [--resource-group <rg>] [--timeout <s>]`;

interface Endpoints {
  armEndpoint: string;
  adminUrl: string;
  functionsBaseUrl: string;
  subscriptionId: string;
  subscriptionIds?: string[];
  tokens: { reader: string };
}

class UsageError extends Error {}

function endpoints(): Endpoints {
  const file = join(SANDBOX_DIR, 'endpoints.json');
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Endpoints;
  } catch (e) {
    throw new UsageError(`cannot read ${file} (${(e as Error).message.split('\n')[0] ?? ''}): start the sandbox first, with npm start`);
  }
}

/** The demo user's ARM token from the simulator's admin API: a person's claims, so the app treats the write as anyone's. */
function userCredential(e: Endpoints): TokenCredential {
  return {
    async getToken(): Promise<AccessToken> {
      const res = await fetch(`${e.adminUrl}/tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ resource: 'https://management.azure.com/', claims: { oid: DEMO_USER.oid, appid: DEMO_USER.appid, idtyp: DEMO_USER.idtyp, name: DEMO_USER.name, upn: DEMO_USER.upn } }),
      });
      if (!res.ok) throw new Error(`the simulator's admin API gave no token: ${res.status} ${await res.text()}`);
      const { access_token: token, claims } = (await res.json()) as { access_token: string; claims: { exp: number } };
      return { token, expiresOnTimestamp: claims.exp * 1000 };
    },
  };
}

async function arm(e: Endpoints, cred: TokenCredential, method: string, path: string, apiVersion: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const token = await cred.getToken('https://management.azure.com/.default');
  const res = await fetch(`${e.armEndpoint}${path}?api-version=${apiVersion}`, {
    method,
    headers: { authorization: `Bearer ${token?.token ?? ''}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Step { step: string; state: string; detail?: string }
interface RunView { instanceId?: string; runtimeStatus?: string; steps?: Step[]; output?: { kind?: string; error?: { code?: string; message?: string } } | null }

/** Follows the app's run of the registry through its HTTP API until it ends (or waits for approval). */
async function followRun(e: Endpoints, registryPath: string, untilApproval: boolean, timeoutMs: number): Promise<0 | 1> {
  const url = `${e.functionsBaseUrl}/api/${registryPath}/harden`;
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const res = await fetch(url, { headers: { authorization: `Bearer ${e.tokens.reader}`, accept: 'application/json' } });
    const view = (await res.json().catch(() => ({}))) as RunView;
    if (res.status === 200) {
      const running = view.steps?.find((s) => s.state === 'running');
      const line = `run ${view.instanceId ?? '?'}: ${view.runtimeStatus ?? '?'}${running ? ` — ${running.step}: ${running.detail ?? ''}` : ''}`;
      if (line !== last) process.stdout.write(`  ${line}\n`);
      last = line;
      if (untilApproval && running?.step === 'approval') {
        process.stdout.write('the run waits for the approval: approve the connection (approve-connections), then raise approve (POST …/harden/approve)\n');
        return 0;
      }
      if (['Completed', 'Failed', 'Terminated'].includes(view.runtimeStatus ?? '')) {
        const kind = view.output?.kind ?? view.runtimeStatus ?? '?';
        process.stdout.write(`outcome: ${kind}${view.output?.error ? ` — ${view.output.error.code ?? ''}: ${view.output.error.message ?? ''}` : ''}\n`);
        return view.runtimeStatus === 'Completed' && ['Hardened', 'Exempt'].includes(kind) ? 0 : 1;
      }
    } else if (res.status !== 404) {
      process.stderr.write(`sandbox: ${url} answered ${res.status}: ${JSON.stringify(view)}\n`);
      return 1;
    }
    await sleep(500);
  }
  process.stderr.write(`sandbox: no finished run within ${timeoutMs / 1000} s (${last || 'none started'}): is the subscription a target (TARGET_SUBSCRIPTION_IDS)? The sandbox's console says what the app did with the event.\n`);
  return 1;
}

async function createCommand(name: string, v: Record<string, string | boolean | undefined>): Promise<0 | 1> {
  const e = endpoints();
  const cred = userCredential(e);
  const subscriptionId = String(v.subscription ?? e.subscriptionId).toLowerCase();
  const rg = String(v['resource-group'] ?? DEMO.rg);
  const regions = String(v.regions ?? 'westeurope').split(',').map((r) => r.trim()).filter((r) => r !== '');
  const registryPath = `registries/${subscriptionId}/${rg}/${name}`;
  const id = `/subscriptions/${subscriptionId}/resourceGroups/${rg}/providers/Microsoft.MachineLearningServices/registries/${name}`;
  const group = await arm(e, cred, 'PUT', `/subscriptions/${subscriptionId}/resourceGroups/${rg}`, GROUPS_API, { location: regions[0] });
  if (group.status >= 300) throw new Error(`resource group ${rg}: ${group.status} ${JSON.stringify(group.body)}`);
  if (v['manual-approval'] === true) {
    // the registry's owner approves its private endpoint connections by hand (the simulator's approval mode)
    const r = await fetch(`${e.adminUrl}/approval-mode`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ targetId: id, mode: 'manual' }) });
    if (!r.ok) throw new Error(`approval mode: ${r.status} ${await r.text()}`);
  }
  process.stdout.write(`creating ${id} in ${regions.join(' + ')} as ${DEMO_USER.name} (${DEMO_USER.upn}, a person: not the app's identity)…\n`);
  await createRegistry({ armEndpoint: e.armEndpoint, subscriptionId }, cred, {
    resourceGroup: rg, name, regions,
    tags: v.exempt === true ? { 'aml-registry-lockdown': 'exempt' } : { purpose: 'created with npm run sandbox' },
  });
  process.stdout.write('created; the sandbox console shows the event and what the app decided\n');
  if (v['no-wait'] === true) return 0;
  return followRun(e, registryPath, v['manual-approval'] === true, seconds(v.timeout) * 1000);
}

async function approveCommand(name: string, v: Record<string, string | boolean | undefined>): Promise<0 | 1> {
  const e = endpoints();
  const cred = userCredential(e);
  const subscriptionId = String(v.subscription ?? e.subscriptionId).toLowerCase();
  const rg = String(v['resource-group'] ?? DEMO.rg);
  const base = `/subscriptions/${subscriptionId}/resourceGroups/${rg}/providers/Microsoft.MachineLearningServices/registries/${name}/privateEndpointConnections`;
  const deadline = Date.now() + seconds(v.timeout) * 1000;
  const stateOf = (c: Record<string, unknown>): string => {
    const p = (c.properties ?? {}) as Record<string, { status?: string } | undefined>;
    return (p.registryPrivateLinkServiceConnectionState ?? p.privateLinkServiceConnectionState)?.status ?? '';
  };
  for (;;) {
    const list = await arm(e, cred, 'GET', base, REGISTRY_API);
    if (list.status >= 300) throw new Error(`connections of ${name}: ${list.status} ${JSON.stringify(list.body)}`);
    const pending = ((list.body.value ?? []) as Array<Record<string, unknown>>).filter((c) => stateOf(c) === 'Pending');
    if (pending.length > 0) {
      for (const c of pending) {
        const state = { status: 'Approved', description: `approved by ${DEMO_USER.upn}` };
        const put = await arm(e, cred, 'PUT', `${base}/${String(c.name)}`, REGISTRY_API, { location: c.location, properties: { registryPrivateLinkServiceConnectionState: state } });
        if (put.status >= 300) throw new Error(`approve ${String(c.name)}: ${put.status} ${JSON.stringify(put.body)}`);
        process.stdout.write(`approved ${String(c.name)} as ${DEMO_USER.upn}\n`);
      }
      return 0;
    }
    if (Date.now() > deadline) {
      process.stderr.write(`sandbox: registry ${name} has no Pending connection within the timeout\n`);
      return 1;
    }
    await sleep(500);
  }
}

function seconds(value: string | boolean | undefined): number {
  if (value === undefined) return 180;
  const n = Number(value);
  if (typeof value !== 'string' || !/^\d+$/.test(value) || n < 1) throw new UsageError(`--timeout takes a whole number of seconds, not '${String(value)}'`);
  return n;
}

async function main(argv: string[]): Promise<0 | 1 | 2> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv, allowPositionals: true, strict: true,
      options: {
        regions: { type: 'string' }, subscription: { type: 'string' }, 'resource-group': { type: 'string' },
        exempt: { type: 'boolean' }, 'manual-approval': { type: 'boolean' }, 'no-wait': { type: 'boolean' }, timeout: { type: 'string' }, help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    process.stderr.write(`sandbox: ${(e as Error).message.split('\n')[0] ?? ''}\n${USAGE}\n`);
    return 2;
  }
  const [verb, name, ...rest] = parsed.positionals;
  if (parsed.values.help === true) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  try {
    if ((verb !== 'create-registry' && verb !== 'approve-connections') || name === undefined || rest.length > 0) throw new UsageError(verb === undefined ? 'a verb is required' : `'${[verb, name, ...rest].join(' ')}' is not a command`);
    if (!/^[a-zA-Z0-9][a-zA-Z0-9\-_]{2,32}$/.test(name)) throw new UsageError(`bad registry name '${name}': 3-33 letters, digits, - or _, starting with a letter or digit`);
    if (parsed.values.subscription !== undefined && !/^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$/i.test(parsed.values.subscription)) throw new UsageError(`--subscription takes a subscription id (a GUID), not '${parsed.values.subscription}'`);
    if (verb === 'approve-connections' && (parsed.values.regions ?? parsed.values.exempt ?? parsed.values['manual-approval'] ?? parsed.values['no-wait']) !== undefined) throw new UsageError("approve-connections takes only --subscription, --resource-group and --timeout");
    return verb === 'create-registry' ? await createCommand(name, parsed.values) : await approveCommand(name, parsed.values);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`sandbox: ${e.message}\n${USAGE}\n`);
    return 2;
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code), (e: unknown) => {
  process.stderr.write(`sandbox: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
