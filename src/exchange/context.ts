import type { FastifyBaseLogger } from 'fastify';
import type { ExchangeConfig } from './config.js';
import type { Stores } from './store/types.js';
import type { ExchangeCa } from './pki/ca.js';
import type { ExchangeMetrics } from './metrics.js';
import type { FrameDecoder } from './ingest/frame-decoder.js';
import type { ConnectionRegistry } from './ingest/connections.js';
import type { Committer } from './ingest/committer.js';
import type { DeviceCounters } from './ingest/device-counters.js';
import type { ExchangeExtension } from './extension.js';
import type { Bus } from './bus/types.js';
import type { LocalConnectors } from './local-connectors.js';

/** Everything a route or the ingest path needs, built once by server.ts. */
export interface ExchangeContext {
  config: ExchangeConfig;
  stores: Stores;
  ca: ExchangeCa;
  metrics: ExchangeMetrics;
  connections: ConnectionRegistry;
  committer: Committer;
  /** Where batches go to be made durable, and how a device on another node is reached. */
  bus: Bus;
  counters: DeviceCounters;
  /** Parses and validates devices' frames off the event loop. */
  decoder: FrameDecoder;
  log: FastifyBaseLogger;
  /** What the layers above plugged in (response, console), in registration order. */
  extensions: readonly ExchangeExtension[];
  /** Connectors this process runs itself (`up --demo`), which can say what records cannot. */
  localConnectors: LocalConnectors;
}
