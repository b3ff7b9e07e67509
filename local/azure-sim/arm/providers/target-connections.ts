import type { ArmResource } from '../../store';
import type { ApiGroup } from '../api-versions';
import type { ArmRequest, ArmResult, Route } from '../context';
import type { ArmError } from '../errors';
import { sameId } from '../ids';
import { clone, recOf, requireBody, type SimState } from '../state';
import { connectionsOf, setConnectionState } from './private-link';

/** How one kind of private link target (storage account, ACR, ML registry) serves its connections. */
export interface TargetConnectionsSpec {
  /** The target the request names. */
  target: (req: ArmRequest) => ArmResource;
  /** The error when the named connection is not on the target. */
  notFound: (connectionName: string, target: ArmResource) => ArmError;
  /** One connection as answered (default: a copy). */
  render?: (conn: ArmResource) => unknown;
  /** Whether the list answer is paged with nextLink (default: all in one answer). */
  paged?: boolean;
  /** The requested state in a PUT body's properties (default: privateLinkServiceConnectionState). */
  requestedState?: (properties: Record<string, unknown>) => unknown;
  /** A PUT of its own (default: applies the requested state at once and answers 200). */
  put?: (req: ArmRequest, conn: ArmResource) => ArmResult;
}

/** The target side of private endpoint connections: list, GET, PUT (approve/reject) and DELETE. */
export class TargetConnections {
  constructor(
    private readonly state: SimState,
    private readonly spec: TargetConnectionsSpec,
  ) {}

  /** The four routes under `{targetTemplate}/privateEndpointConnections`. */
  routes(targetTemplate: string, apiGroup: ApiGroup): Route[] {
    const all = `${targetTemplate}/privateEndpointConnections`;
    const one = `${all}/{connectionName}`;
    return [
      { method: 'GET', template: all, apiGroup, handler: (q) => this.list(q) },
      { method: 'GET', template: one, apiGroup, handler: (q) => ({ status: 200, body: this.render(this.find(q)) }) },
      { method: 'PUT', template: one, apiGroup, handler: (q) => this.put(q) },
      { method: 'DELETE', template: one, apiGroup, handler: (q) => this.delete(q) },
    ];
  }

  /** The connection the request names (by name, case-insensitive, or by full id). */
  find(req: ArmRequest): ArmResource {
    const target = this.spec.target(req);
    const name = req.params.connectionName ?? '';
    const c = connectionsOf(this.state, target).find((x) => x.name.toLowerCase() === name.toLowerCase() || sameId(x.id, `${target.id}/privateEndpointConnections/${name}`));
    if (!c) throw this.spec.notFound(name, target);
    return c;
  }

  private render(conn: ArmResource): unknown {
    return this.spec.render ? this.spec.render(conn) : clone(conn);
  }

  private list(req: ArmRequest): ArmResult {
    const value = connectionsOf(this.state, this.spec.target(req)).map((c) => this.render(c));
    return this.spec.paged ? this.state.page(req, value) : { status: 200, body: { value } };
  }

  private put(req: ArmRequest): ArmResult {
    const conn = this.find(req);
    if (this.spec.put) return this.spec.put(req, conn);
    const properties = recOf(requireBody(req).properties);
    const requested = this.spec.requestedState ? this.spec.requestedState(properties) : properties.privateLinkServiceConnectionState;
    setConnectionState(this.state, conn, recOf(requested));
    this.state.emitWrite(req, conn.id, 'write', { isUpdate: true });
    return { status: 200, body: this.render(conn) };
  }

  private delete(req: ArmRequest): ArmResult {
    const conn = this.find(req);
    setConnectionState(this.state, conn, { status: 'Disconnected', description: 'Deleted by the resource owner' });
    this.state.store.delete(conn.id);
    this.state.emitWrite(req, conn.id, 'delete');
    return { status: 200 };
  }
}
