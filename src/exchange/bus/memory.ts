// The embedded default: one node, so a batch is durable once this node has committed it, and
// every device connection is this node's.
import type { Bus, BusHandlers, IngestOutcome } from './types.js';

export function memoryBus(): Bus {
  let h: BusHandlers | null = null;
  const started = (): BusHandlers => {
    if (!h) throw new Error('bus used before start');
    return h;
  };
  return {
    kind: 'memory',
    async start(handlers) { h = handlers; },
    async ingest(_deviceId, items): Promise<IngestOutcome> {
      const { inserted } = await started().commit(items);
      let accepted = 0;
      for (const x of inserted) if (x) accepted++;
      return { accepted, duplicates: inserted.length - accepted };
    },
    toDevice(deviceId, m) { started().device(deviceId, m); },
    // A device is acked only after the commit: nothing acked waits.
    async backlog() { return 0; },
    async close() {},
  };
}
