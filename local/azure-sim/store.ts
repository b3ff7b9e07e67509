import { EventEmitter } from 'node:events';

/**
 * The simulator's state: every ARM resource in wire shape (as GET returns it), keyed by its
 * id lower-cased (ARM ids are case-insensitive). Subresources (zone groups, record sets,
 * virtual network links, subnets) are resources of their own with ids under their parent.
 */
export interface ArmResource {
  id: string;
  name: string;
  type: string;
  location?: string;
  tags?: Record<string, string>;
  properties?: Record<string, unknown>;
  [field: string]: unknown;
}

/** Raised after every successful ARM write; the Event Grid system topic turns it into ResourceWriteSuccess. */
export interface WriteRecord {
  method: 'PUT' | 'PATCH' | 'POST' | 'DELETE';
  resourceId: string;
  /** e.g. Microsoft.MachineLearningServices/registries/write or …/delete or …/action */
  operationName: string;
  resourceProvider: string;
  subscriptionId: string;
  tenantId: string;
  correlationId: string;
  /** claims of the caller's token (ARM puts them into the event's data.claims) */
  claims: Record<string, unknown>;
  /** Azure RBAC action and scope for data.authorization */
  authorization: { scope: string; action: string; evidence: { role: string } };
  httpRequest?: { clientRequestId: string; clientIpAddress: string; method: string; url: string };
  time: string;
}

export class ResourceStore extends EventEmitter {
  private readonly resources = new Map<string, ArmResource>();

  static key(id: string): string {
    return id.replace(/\/+$/, '').toLowerCase();
  }

  get(id: string): ArmResource | undefined {
    return this.resources.get(ResourceStore.key(id));
  }

  put(resource: ArmResource): ArmResource {
    this.resources.set(ResourceStore.key(resource.id), resource);
    return resource;
  }

  delete(id: string): boolean {
    return this.resources.delete(ResourceStore.key(id));
  }

  /** Resources of a type (case-insensitive), optionally only those whose id starts with a prefix. */
  list(type: string, underId?: string): ArmResource[] {
    const t = type.toLowerCase();
    const prefix = underId ? ResourceStore.key(underId) + '/' : undefined;
    const out: ArmResource[] = [];
    for (const [key, r] of this.resources) {
      if (r.type.toLowerCase() !== t) continue;
      if (prefix && !key.startsWith(prefix)) continue;
      out.push(r);
    }
    return out.sort((a, b) => a.id.localeCompare(b.id));
  }

  all(): ArmResource[] {
    return [...this.resources.values()];
  }

  /** Emit after a successful write (call exactly once per write, when the write is committed). */
  recordWrite(record: WriteRecord): void {
    this.emit('write', record);
  }

  onWrite(listener: (record: WriteRecord) => void): () => void {
    this.on('write', listener);
    return () => this.off('write', listener);
  }
}
