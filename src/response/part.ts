// A piece of response (the iroh API, CTIA, feeds, device actions, incidents…): its routes, what
// it starts, and which exchange hooks it listens to. parts.ts lists them; adding one touches
// that list and nothing else.
import type { FastifyInstance } from 'fastify';
import type { CommitItem } from '../exchange/store/types.js';
import type { ResponseContext } from './context.js';

export interface ResponsePart {
  readonly name: string;
  routes?(app: FastifyInstance, rc: ResponseContext): Promise<void>;
  /** After routes, before the server listens. */
  start?(rc: ResponseContext): Promise<void>;
  /** See ExchangeExtension.beforeCommit: synchronous, cheap, never throws. */
  beforeCommit?(items: CommitItem[]): void;
  afterCommit?(items: CommitItem[], inserted: boolean[]): void;
  deviceConnected?(deviceId: string, orgId: string): void;
  controlAck?(deviceId: string, orgId: string, ack: { id: string; status: 'ok' | 'error'; detail?: string }): void;
  close?(): Promise<void>;
}
