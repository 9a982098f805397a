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
  // Parts are plain objects shared by every server in the process (tests run several), so each
  // hook is told which server's response it serves.
  /** See ExchangeExtension.beforeCommit: synchronous, cheap, never throws. */
  beforeCommit?(rc: ResponseContext, items: CommitItem[]): void;
  afterCommit?(rc: ResponseContext, items: CommitItem[], inserted: boolean[]): void;
  deviceConnected?(rc: ResponseContext, deviceId: string, orgId: string): void;
  deviceActionsWaiting?(rc: ResponseContext, deviceId: string, orgId: string): void;
  controlAck?(rc: ResponseContext, deviceId: string, orgId: string, ack: { id: string; status: 'ok' | 'error'; detail?: string }): void;
  close?(rc: ResponseContext): Promise<void>;
}
