import * as dgram from 'node:dgram';
import * as net from 'node:net';
import * as dnsPacket from 'dns-packet';
import type { ResourceStore } from '../store';
import { SplitHorizonResolver, type DnsRecord, type Resolution } from './resolver';

/**
 * A DNS server on UDP and TCP (same port) answering like Azure DNS inside the client VNet
 * (see resolver.ts for the rules). Speaks the wire format through `dns-packet`.
 */
export interface DnsServerHandle {
  host: string;
  port: number;
  stop(): Promise<void>;
}

export interface DnsServerOptions {
  store: ResourceStore;
  host?: string;
  /** 0 (default) = a free port usable for both UDP and TCP */
  port?: number;
  /** The VNets whose linked private zones this server's clients see (the function app's VNet). */
  clientVnetIds: () => string[];
}

const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4 } as const;
const OPCODE_QUERY = 0;
const CLASSIC_UDP_LIMIT = 512;

function toAnswer(r: DnsRecord): dnsPacket.Answer {
  switch (r.type) {
    case 'SOA':
      return { type: 'SOA', name: r.name, ttl: r.ttl, class: 'IN', data: r.data };
    case 'TXT':
      return { type: 'TXT', name: r.name, ttl: r.ttl, class: 'IN', data: r.data };
    default:
      return { type: r.type, name: r.name, ttl: r.ttl, class: 'IN', data: r.data };
  }
}

interface Reply {
  buffer: Buffer;
}

/** Builds the reply to one raw DNS message; undefined when the message cannot even be parsed. */
export function answerMessage(resolver: SplitHorizonResolver, message: Buffer, transport: 'udp' | 'tcp'): Reply | undefined {
  let query: dnsPacket.DecodedPacket;
  try {
    query = dnsPacket.decode(message);
  } catch {
    if (message.length < 12) return undefined;
    // Echo the id with FORMERR.
    const header = Buffer.alloc(12);
    message.copy(header, 0, 0, 2);
    header.writeUInt16BE(0x8000 | RCODE.FORMERR, 2);
    return { buffer: header };
  }
  if (query.type === 'response') return undefined;
  const rd = query.flag_rd ? dnsPacket.RECURSION_DESIRED : 0;
  const queryOpt = (query.additionals ?? []).find((a): a is dnsPacket.OptAnswer => a.type === 'OPT');
  const additionals: dnsPacket.Answer[] = queryOpt
    ? [{ type: 'OPT', name: '.', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }]
    : [];
  const base = { type: 'response' as const, id: query.id ?? 0, questions: query.questions ?? [], additionals };
  const opcode = ((query.flags ?? 0) >> 11) & 0xf;
  const question = query.questions?.[0];
  if (opcode !== OPCODE_QUERY) {
    return { buffer: dnsPacket.encode({ ...base, flags: rd | dnsPacket.RECURSION_AVAILABLE | RCODE.NOTIMP }) };
  }
  if (!question || (query.questions?.length ?? 0) !== 1) {
    return { buffer: dnsPacket.encode({ ...base, flags: rd | dnsPacket.RECURSION_AVAILABLE | RCODE.FORMERR }) };
  }
  let result: Resolution;
  try {
    result = resolver.resolve(question.name, question.type);
  } catch {
    return { buffer: dnsPacket.encode({ ...base, flags: rd | dnsPacket.RECURSION_AVAILABLE | RCODE.SERVFAIL }) };
  }
  const flags = rd | dnsPacket.RECURSION_AVAILABLE | (result.authoritative ? dnsPacket.AUTHORITATIVE_ANSWER : 0) | RCODE[result.rcode];
  const packet: dnsPacket.Packet = {
    ...base,
    flags,
    answers: result.answers.map(toAnswer),
    authorities: result.authorities.map(toAnswer),
  };
  let buffer = dnsPacket.encode(packet);
  const limit = transport === 'tcp' ? 65535 : Math.max(CLASSIC_UDP_LIMIT, Math.min(queryOpt?.udpPayloadSize ?? CLASSIC_UDP_LIMIT, 4096));
  if (buffer.length > limit) {
    buffer = dnsPacket.encode({ ...base, flags: flags | dnsPacket.TRUNCATED_RESPONSE, answers: [], authorities: [] });
  }
  return { buffer };
}

async function bindUdp(host: string, port: number): Promise<dgram.Socket> {
  const socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, host, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  return socket;
}

async function listenTcp(server: net.Server, host: string, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

export async function startDnsServer(opts: DnsServerOptions): Promise<DnsServerHandle> {
  const host = opts.host ?? '127.0.0.1';
  const resolver = new SplitHorizonResolver(opts.store, opts.clientVnetIds);
  const sockets = new Set<net.Socket>();

  const tcp = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.setTimeout(30_000, () => socket.destroy());
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 2) {
        const length = pending.readUInt16BE(0);
        if (pending.length < 2 + length) break;
        const message = pending.subarray(2, 2 + length);
        pending = pending.subarray(2 + length);
        const reply = answerMessage(resolver, message, 'tcp');
        if (!reply) {
          socket.destroy();
          return;
        }
        const framed = Buffer.alloc(2 + reply.buffer.length);
        framed.writeUInt16BE(reply.buffer.length, 0);
        reply.buffer.copy(framed, 2);
        socket.write(framed);
      }
    });
  });

  let udp: dgram.Socket | undefined;
  let port = opts.port ?? 0;
  for (let attempt = 0; ; attempt++) {
    const candidate = await bindUdp(host, port);
    const chosen = candidate.address().port;
    try {
      await listenTcp(tcp, host, chosen);
      udp = candidate;
      port = chosen;
      break;
    } catch (err) {
      candidate.close();
      const inUse = (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
      if (!inUse || port !== 0 || attempt >= 20) throw err;
    }
  }

  const udpSocket = udp;
  udpSocket.on('message', (message, rinfo) => {
    const reply = answerMessage(resolver, message, 'udp');
    if (reply) udpSocket.send(reply.buffer, rinfo.port, rinfo.address);
  });
  udpSocket.on('error', () => undefined);

  let stopped = false;
  return {
    host,
    port,
    async stop(): Promise<void> {
      if (stopped) return;
      stopped = true;
      for (const s of sockets) s.destroy();
      await Promise.all([
        new Promise<void>((resolve) => udpSocket.close(() => resolve())),
        new Promise<void>((resolve) => tcp.close(() => resolve())),
      ]);
    },
  };
}
