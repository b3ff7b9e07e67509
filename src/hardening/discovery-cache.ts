import type { DiscoveryDocument } from './domain/ports';

/** A small in-memory TTL cache of successful discovery answers, bounded in size (oldest out first). */
export class DiscoveryCache {
  private readonly entries = new Map<string, { doc: DiscoveryDocument; expires: number }>();

  constructor(private readonly maxEntries = 500) {}

  static key(region: string, registryName: string): string {
    return `${region}/${registryName.toLowerCase()}`;
  }

  get(key: string, now: number): DiscoveryDocument | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.expires <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return hit.doc;
  }

  set(key: string, doc: DiscoveryDocument, ttlSeconds: number, now: number): void {
    if (ttlSeconds <= 0) return;
    this.entries.delete(key);
    this.entries.set(key, { doc, expires: now + ttlSeconds * 1000 });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
