import { Resolver } from 'node:dns/promises';
import * as net from 'node:net';
import * as dnsPacket from 'dns-packet';
import { ResourceStore } from '../../../local/azure-sim/store';
import { startDnsServer, type DnsServerHandle } from '../../../local/azure-sim/dns/server';
import { registryPrivateFqdn } from '../../../local/azure-sim/registry-guid';
import { aRecord, cnameRecord, containerRegistry, link, mlRegistry, privateEndpoint, storageAccount, vnet, zone } from './fixtures';

const appVnet = vnet('vnet-app');
const otherVnet = vnet('vnet-other');
const blobZone = zone('privatelink.blob.core.windows.net');
const acrZone = zone('privatelink.azurecr.io');
const amlZone = zone('privatelink.api.azureml.ms');
const fileZone = zone('privatelink.file.core.windows.net');
const corpZone = zone('corp.internal');

const withPe = storageAccount('stwithpe01');
const withPeNoRecord = storageAccount('stnorecord01');
const withoutPe = storageAccount('stpublic01');
const acr = containerRegistry('acrreg0001');
const registry = mlRegistry('reg-one', ['eastus', 'westus'], { acrId: acr.id });
const registryFqdnEast = registryPrivateFqdn(registry, 'eastus');
const registryFqdnWest = registryPrivateFqdn(registry, 'westus');

let clientVnets: string[] = [appVnet.id];
let store: ResourceStore;
let server: DnsServerHandle;
let resolver: Resolver;

const isPrivate = (ip: string): boolean => /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.)/.test(ip);

async function errorCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? 'no-code';
  }
  return 'resolved';
}

beforeAll(async () => {
  store = new ResourceStore();
  for (const r of [appVnet, otherVnet, blobZone, acrZone, amlZone, fileZone, corpZone, withPe, withPeNoRecord, withoutPe, acr, registry]) store.put(r);
  store.put(link(blobZone, 'app', appVnet.id));
  store.put(link(acrZone, 'app', appVnet.id));
  store.put(link(amlZone, 'app', appVnet.id));
  store.put(link(corpZone, 'app', appVnet.id));
  store.put(link(fileZone, 'other', otherVnet.id)); // linked to a VNet the client is not in
  store.put(aRecord(blobZone, 'stwithpe01', '10.0.1.4'));
  store.put(aRecord(acrZone, 'acrreg0001', '10.0.1.5'));
  store.put(aRecord(acrZone, 'acrreg0001.eastus.data', '10.0.1.6'));
  store.put(aRecord(acrZone, 'acrreg0001.westus.data', '10.0.1.8'));
  store.put(aRecord(amlZone, registryFqdnEast.replace('.privatelink.api.azureml.ms', ''), '10.0.1.7'));
  store.put(aRecord(fileZone, 'stwithpe01', '10.9.9.9'));
  store.put(aRecord(corpZone, 'db', '10.0.2.10'));
  store.put(aRecord(corpZone, '*.apps', '10.0.2.20'));
  store.put(aRecord(corpZone, 'exact.apps', '10.0.2.21'));
  store.put(cnameRecord(corpZone, 'alias', 'db.corp.internal'));
  store.put(privateEndpoint('pe-blob', withPe.id, 'blob'));
  store.put(privateEndpoint('pe-blob-2', withPeNoRecord.id, 'blob'));
  store.put(privateEndpoint('pe-acr', acr.id, 'registry'));
  store.put(privateEndpoint('pe-reg', registry.id, 'amlregistry'));
  server = await startDnsServer({ store, clientVnetIds: () => clientVnets });
  resolver = new Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([`${server.host}:${server.port}`]);
});

afterAll(async () => {
  await server.stop();
});

beforeEach(() => {
  clientVnets = [appVnet.id];
});

describe('private zones linked to the client VNet', () => {
  it('answers the A record of a name in a linked zone', async () => {
    await expect(resolver.resolve4('db.corp.internal')).resolves.toEqual(['10.0.2.10']);
  });

  it('follows a CNAME record set inside a zone', async () => {
    await expect(resolver.resolve4('alias.corp.internal')).resolves.toEqual(['10.0.2.10']);
    await expect(resolver.resolveCname('alias.corp.internal')).resolves.toEqual(['db.corp.internal']);
  });

  it('is authoritative: a missing name in a linked zone is NXDOMAIN', async () => {
    expect(await errorCode(resolver.resolve4('nothere.corp.internal'))).toBe('ENOTFOUND');
  });

  it('returns the record TTL', async () => {
    const [rec] = await resolver.resolve4('db.corp.internal', { ttl: true });
    expect(rec).toEqual({ address: '10.0.2.10', ttl: 10 });
  });

  it('hides a zone linked only to another VNet (split horizon)', async () => {
    expect(await errorCode(resolver.resolve4('stwithpe01.privatelink.file.core.windows.net'))).toBe('ENOTFOUND');
    clientVnets = [otherVnet.id];
    await expect(resolver.resolve4('stwithpe01.privatelink.file.core.windows.net')).resolves.toEqual(['10.9.9.9']);
    expect(await errorCode(resolver.resolve4('db.corp.internal'))).toBe('ENOTFOUND');
  });

  it('sees records written after start (reads the store per query)', async () => {
    expect(await errorCode(resolver.resolve4('late.corp.internal'))).toBe('ENOTFOUND');
    store.put(aRecord(corpZone, 'late', '10.0.2.11'));
    await expect(resolver.resolve4('late.corp.internal')).resolves.toEqual(['10.0.2.11']);
    store.delete(`${corpZone.id}/A/late`);
    expect(await errorCode(resolver.resolve4('late.corp.internal'))).toBe('ENOTFOUND');
  });
});

describe('storage and ACR public names', () => {
  it('CNAMEs a storage account with a private endpoint to its privatelink name, then the private A', async () => {
    await expect(resolver.resolveCname('stwithpe01.blob.core.windows.net')).resolves.toEqual(['stwithpe01.privatelink.blob.core.windows.net']);
    await expect(resolver.resolve4('stwithpe01.blob.core.windows.net')).resolves.toEqual(['10.0.1.4']);
  });

  it('answers a public-looking address for the privatelink chain when no linked zone has the record', async () => {
    clientVnets = [otherVnet.id];
    await expect(resolver.resolveCname('stwithpe01.blob.core.windows.net')).resolves.toEqual(['stwithpe01.privatelink.blob.core.windows.net']);
    const [ip] = await resolver.resolve4('stwithpe01.blob.core.windows.net');
    expect(ip).toMatch(/^20\./);
    expect(isPrivate(ip ?? '')).toBe(false);
  });

  it('is NXDOMAIN when the linked privatelink zone lacks the record (Azure private zones are authoritative)', async () => {
    await expect(resolver.resolveCname('stnorecord01.blob.core.windows.net')).resolves.toEqual(['stnorecord01.privatelink.blob.core.windows.net']);
    expect(await errorCode(resolver.resolve4('stnorecord01.blob.core.windows.net'))).toBe('ENOTFOUND');
  });

  it('answers a storage account without private endpoint with a public A directly (no CNAME)', async () => {
    const [ip] = await resolver.resolve4('stpublic01.blob.core.windows.net');
    expect(ip).toMatch(/^20\./);
    expect(await errorCode(resolver.resolveCname('stpublic01.blob.core.windows.net'))).toBe('ENODATA');
    // the privatelink name does not exist publicly without an endpoint
    clientVnets = [otherVnet.id];
    expect(await errorCode(resolver.resolve4('stpublic01.privatelink.blob.core.windows.net'))).toBe('ENOTFOUND');
  });

  it('moves a public answer to the private one as soon as an endpoint appears', async () => {
    const extra = storageAccount('stlater01');
    store.put(extra);
    const [before] = await resolver.resolve4('stlater01.blob.core.windows.net');
    expect(before).toMatch(/^20\./);
    store.put(privateEndpoint('pe-later', extra.id, 'blob'));
    store.put(aRecord(blobZone, 'stlater01', '10.0.1.20'));
    await expect(resolver.resolve4('stlater01.blob.core.windows.net')).resolves.toEqual(['10.0.1.20']);
  });

  it('ignores an endpoint for another sub-resource (a file endpoint does not move blob)', async () => {
    const extra = storageAccount('stfileonly01');
    store.put(extra);
    store.put(privateEndpoint('pe-file', extra.id, 'file'));
    expect(await errorCode(resolver.resolveCname('stfileonly01.blob.core.windows.net'))).toBe('ENODATA');
    await expect(resolver.resolveCname('stfileonly01.file.core.windows.net')).resolves.toEqual(['stfileonly01.privatelink.file.core.windows.net']);
  });

  it('CNAMEs the ACR login server and its regional data endpoints', async () => {
    await expect(resolver.resolveCname('acrreg0001.azurecr.io')).resolves.toEqual(['acrreg0001.privatelink.azurecr.io']);
    await expect(resolver.resolve4('acrreg0001.azurecr.io')).resolves.toEqual(['10.0.1.5']);
    await expect(resolver.resolveCname('acrreg0001.eastus.data.azurecr.io')).resolves.toEqual(['acrreg0001.eastus.data.privatelink.azurecr.io']);
    await expect(resolver.resolve4('acrreg0001.eastus.data.azurecr.io')).resolves.toEqual(['10.0.1.6']);
    // westus is a replica region (the registry's regionDetails name this ACR there)
    await expect(resolver.resolve4('acrreg0001.westus.data.azurecr.io')).resolves.toEqual(['10.0.1.8']);
    // a region the ACR is not replicated to does not exist
    expect(await errorCode(resolver.resolve4('acrreg0001.northeurope.data.azurecr.io'))).toBe('ENOTFOUND');
  });
});

describe('registry private FQDN', () => {
  it('resolves only through a linked privatelink.api.azureml.ms zone', async () => {
    expect(registryFqdnEast).toMatch(/^[0-9a-f-]{36}\.registry\.eastus\.privatelink\.api\.azureml\.ms$/);
    await expect(resolver.resolve4(registryFqdnEast)).resolves.toEqual(['10.0.1.7']);
    clientVnets = [otherVnet.id];
    expect(await errorCode(resolver.resolve4(registryFqdnEast))).toBe('ENOTFOUND');
  });

  it('answers the public form (as the endpoint NIC reports it) with NXDOMAIN even while the privatelink record exists', async () => {
    const publicForm = registryFqdnEast.replace('.privatelink.api.azureml.ms', '.api.azureml.ms');
    await expect(resolver.resolve4(registryFqdnEast)).resolves.toEqual(['10.0.1.7']);
    expect(publicForm).toMatch(/\.registry\.eastus\.api\.azureml\.ms$/);
    expect(await errorCode(resolver.resolve4(publicForm))).toBe('ENOTFOUND');
  });

  it('has no public CNAME chain: the non-privatelink form and a missing region are NXDOMAIN', async () => {
    expect(await errorCode(resolver.resolve4(registryFqdnEast.replace('.privatelink.', '.')))).toBe('ENOTFOUND');
    expect(await errorCode(resolver.resolve4(registryFqdnWest))).toBe('ENOTFOUND');
  });
});

describe('wildcard record sets', () => {
  it('answers a name under a wildcard with its records, an existing name with its own, and a deeper name not at all', async () => {
    await expect(resolver.resolve4('probe.apps.corp.internal')).resolves.toEqual(['10.0.2.20']);
    await expect(resolver.resolve4('exact.apps.corp.internal')).resolves.toEqual(['10.0.2.21']);
    await expect(resolver.resolve4('a.b.apps.corp.internal')).resolves.toEqual(['10.0.2.20']);
    expect(await errorCode(resolver.resolve4('apps.corp.internal'))).toBe('ENODATA');
    expect(await errorCode(resolver.resolve4('probe.other.corp.internal'))).toBe('ENOTFOUND');
  });
});

describe('other names and record types', () => {
  it('is NXDOMAIN for unknown names', async () => {
    expect(await errorCode(resolver.resolve4('nosuchacct01.blob.core.windows.net'))).toBe('ENOTFOUND');
    expect(await errorCode(resolver.resolve4('nosuchacr01.azurecr.io'))).toBe('ENOTFOUND');
    expect(await errorCode(resolver.resolve4('example.com'))).toBe('ENOTFOUND');
  });

  it('answers AAAA for known names with NOERROR and no addresses', async () => {
    expect(await errorCode(resolver.resolve6('db.corp.internal'))).toBe('ENODATA');
    expect(await errorCode(resolver.resolve6('stpublic01.blob.core.windows.net'))).toBe('ENODATA');
    expect(await errorCode(resolver.resolve6('unknown.corp.internal'))).toBe('ENOTFOUND');
  });

  it('serves the same answers over TCP', async () => {
    const query = dnsPacket.streamEncode({ type: 'query', id: 4242, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name: 'stwithpe01.blob.core.windows.net' }] });
    const reply = await new Promise<Buffer>((resolve, reject) => {
      const socket = net.connect(server.port, server.host, () => socket.write(query));
      let buf = Buffer.alloc(0);
      socket.on('data', (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk]);
        if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          socket.end();
          resolve(buf);
        }
      });
      socket.on('error', reject);
    });
    const packet = dnsPacket.streamDecode(reply) as dnsPacket.DecodedPacket & { rcode?: string };
    expect(packet.id).toBe(4242);
    expect(packet.rcode).toBe('NOERROR');
    expect((packet.answers ?? []).map((a) => `${a.type} ${'data' in a ? String(a.data) : ''}`)).toEqual([
      'CNAME stwithpe01.privatelink.blob.core.windows.net',
      'A 10.0.1.4',
    ]);
    expect(packet.flag_aa).toBe(true);
  });
});
