// spool: depth and its trend over two samples a second apart. A full spool either pauses the
// sources (policy block: the sensor backs up) or drops the oldest unsent events (drop_oldest).
import { skipped, type Check, type CheckResult, type LocalSnapshot } from '../check.js';
import { fetchSnapshot } from '../local-snapshot.js';

const id = 'spool';
const title = 'the spool drains';
const SAMPLE_MS = 1000;
const WARN_FILL = 0.8;

export const spoolCheck: Check = {
  id,
  title,
  async run(ctx): Promise<CheckResult[]> {
    const a = ctx.snapshot;
    if (!a || !ctx.config) return [skipped(id, title, `needs the local API (see local_api): ${ctx.snapshotError}`)];
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, SAMPLE_MS));
    let b: LocalSnapshot = a;
    let second = '';
    try {
      b = await fetchSnapshot(ctx.config.connectorPort, Math.min(2000, ctx.timeoutMs));
    } catch (e) {
      second = ` (no second sample: ${(e as Error).message})`;
    }
    const dt = (Date.now() - t0) / 1000;
    const sp = b.spool;
    const fill = sp.max_bytes > 0 ? sp.bytes / sp.max_bytes : 0;
    const dropped = b.counters.events_dropped - a.counters.events_dropped;
    const acked = b.counters.events_acked - a.counters.events_acked;
    const grew = sp.depth_events - a.spool.depth_events;
    const evidence = [
      `depth ${a.spool.depth_events} → ${sp.depth_events} events over ${dt.toFixed(1)} s${second}; ${acked} acked meanwhile`,
      `${sp.bytes} of ${sp.max_bytes} bytes (${(fill * 100).toFixed(1)}%), policy ${sp.policy}${sp.full ? ', FULL' : ''}; ${b.counters.events_dropped} dropped in all`,
    ];
    const remedy = `get the uplink working (uplink_tcp, tcp.eventing): the spool drains once the exchange acknowledges; raise spool_max_bytes in ${ctx.config.file} to ride out longer outages`;
    if (sp.full || dropped > 0) {
      return [{
        id, title, status: 'fail', evidence,
        cause: sp.policy === 'drop_oldest' || dropped > 0
          ? `the spool is full and unsent events are being dropped (${dropped} in the last ${dt.toFixed(1)} s, ${b.counters.events_dropped} in all)`
          : 'the spool is full: the sources are paused and events back up at the sensor',
        remedy,
      }];
    }
    if (fill >= WARN_FILL) return [{ id, title, status: 'warn', evidence, cause: `the spool is ${(fill * 100).toFixed(0)}% full`, remedy }];
    if (grew > 0 && acked === 0) return [{ id, title, status: 'warn', evidence, cause: `the backlog grew by ${grew} events and nothing was acknowledged while sampling`, remedy }];
    if (b.counters.events_dropped > 0) return [{ id, title, status: 'warn', evidence, cause: `${b.counters.events_dropped} events were dropped earlier when the spool was full`, remedy }];
    return [{ id, title, status: 'ok', evidence }];
  },
};
