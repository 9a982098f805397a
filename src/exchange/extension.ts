// What a layer above the exchange (response, console) plugs in: routes on the same HTTPS
// server, and a look at events on their way into the store. The exchange never imports its
// extensions; the top-level assembly (src/threatlink.ts) hands them in.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ExchangeContext } from './context.js';
import type { Principal } from './auth/principal.js';
import type { CommitItem } from './store/types.js';

export interface ExchangeExtension {
  readonly name: string;
  /** Registers routes; called once before the server listens. */
  register(app: FastifyInstance, ctx: ExchangeContext): Promise<void>;
  /** Sees each validated batch before it is committed, and may add tags to its events (feed
   * matches). Runs on the ingest path: must be synchronous and cheap, and must not throw. */
  beforeCommit?(items: CommitItem[]): void;
  /** Told after each commit that new events are durable. A wake-up, not a delivery: whoever
   * must not miss an event reads the store from its own cursor (the event store's tail). */
  afterCommit?(items: CommitItem[], inserted: boolean[]): void;
  /** Called when a device's eventing connection opens (pending device actions go out then). */
  deviceConnected?(deviceId: string, orgId: string): void;
  /** Device actions made elsewhere (maybe on another node) wait in the store for this node's
   * connected device. */
  deviceActionsWaiting?(deviceId: string, orgId: string): void;
  /** A device answered a control frame. */
  controlAck?(deviceId: string, orgId: string, ack: { id: string; status: 'ok' | 'error'; detail?: string }): void;
  /** Another credential than a bearer token (the console's session cookie), asked only when a
   * request has no Authorization header. Null when the request carries none of this
   * extension's credentials; throws an ApiError when it carries a bad one. */
  principalOf?(req: FastifyRequest): Promise<Principal | null>;
  /** True for paths whose answers the browser may cache (the console's hashed assets). */
  cacheable?(url: string): boolean;
  close?(): Promise<void>;
}
