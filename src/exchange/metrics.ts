// Prometheus metrics, one registry per exchange instance (tests run several in one process).
import { Registry, Counter, Histogram, Gauge } from 'prom-client';

export class ExchangeMetrics {
  readonly registry = new Registry();
  readonly received = new Counter({ name: 'threatlink_events_received_total', help: 'Events received from devices', registers: [this.registry] });
  readonly committed = new Counter({ name: 'threatlink_events_committed_total', help: 'Events newly stored', registers: [this.registry] });
  readonly duplicates = new Counter({ name: 'threatlink_events_duplicate_total', help: 'Events whose event_id was already stored', registers: [this.registry] });
  readonly rejected = new Counter({ name: 'threatlink_events_rejected_total', help: 'Events rejected by validation', labelNames: ['code'], registers: [this.registry] });
  readonly commitLatency = new Histogram({
    name: 'threatlink_batch_commit_seconds',
    help: 'Time from a batch arriving to its commit',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly pruned = new Counter({ name: 'threatlink_events_pruned_total', help: 'Events deleted by retention', labelNames: ['reason'], registers: [this.registry] });
  readonly connected = new Gauge({ name: 'threatlink_connected_devices', help: 'Devices with an open eventing connection', registers: [this.registry] });
  readonly badFrames = new Counter({ name: 'threatlink_bad_frames_total', help: 'Frames that were not valid protocol messages', registers: [this.registry] });
}
