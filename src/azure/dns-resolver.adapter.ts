import { promises as dns } from 'node:dns';
import type { DnsAnswer, DnsResolverPort } from '../hardening/domain/ports';

/**
 * Resolves through the configured servers (or the system's): follows CNAMEs as a client would
 * see them and returns the final A records plus the chain, so a failure can say exactly where
 * resolution went.
 */
export class DnsResolverAdapter implements DnsResolverPort {
  private readonly resolver: dns.Resolver;

  constructor(servers: readonly string[], timeoutMs = 2000) {
    this.resolver = new dns.Resolver({ timeout: timeoutMs, tries: 2 });
    if (servers.length > 0) this.resolver.setServers([...servers]);
  }

  async resolve(fqdn: string): Promise<DnsAnswer> {
    const chain: string[] = [];
    let name = fqdn.replace(/\.$/, '');
    for (let hop = 0; hop < 8; hop++) {
      try {
        const cnames = await this.resolver.resolveCname(name);
        const next = cnames[0];
        if (next) {
          chain.push(next);
          name = next;
          continue;
        }
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== dns.NODATA && code !== dns.NOTFOUND) return { addresses: [], chain, error: `${code ?? 'ERROR'} looking up CNAME of ${name}` };
        if (code === dns.NOTFOUND) return { addresses: [], chain, error: `NXDOMAIN: ${name}` };
      }
      break;
    }
    try {
      const addresses = await this.resolver.resolve4(name);
      return { addresses: addresses.sort(), chain };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return { addresses: [], chain, error: code === dns.NOTFOUND ? `NXDOMAIN: ${name}` : `${code ?? 'ERROR'} resolving ${name}` };
    }
  }
}
