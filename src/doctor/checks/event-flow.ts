// event_flow: the note's last question — are events read, sent and acknowledged? From the
// connector's counters, the age of the last ack and each source's state.
import { skipped, type Check, type CheckResult } from '../check.js';

const id = 'event_flow';
const title = 'events are read, sent and acknowledged';
const STALE_ACK_S = 60;

export const eventFlowCheck: Check = {
  id,
  title,
  async run(ctx): Promise<CheckResult[]> {
    const s = ctx.snapshot;
    if (!s) return [skipped(id, title, `needs the local API (see local_api): ${ctx.snapshotError}`)];
    const c = s.counters;
    const lastAck = 'last_ack_at' in s.uplink ? s.uplink.last_ack_at : null;
    const ackAge = lastAck ? (Date.now() - Date.parse(lastAck)) / 1000 : null;
    const backlog = s.spool.depth_events;
    const evidence = [
      `read ${c.events_read}, sent ${c.events_sent}, acked ${c.events_acked}, rejected by the exchange ${c.events_rejected}, unreadable at the source ${c.events_rejected_local}, dropped ${c.events_dropped}`,
      `last ack ${ackAge === null ? 'never' : `${ackAge.toFixed(1)} s ago (${lastAck})`}; ${backlog} event(s) in the spool not yet acknowledged`,
      ...s.sources.map((x) => `source ${x.name} (${x.type}): ${x.state}${x.detail ? ` — ${x.detail}` : ''}, ${x.events_read} read${x.file ? `, ${x.file} at ${x.offset}` : ''}`),
    ];
    if (!s.cloud_events.effective) {
      evidence.push('sending is paused: cloud events are off (see cloud_events)');
      return [{ id, title, status: 'skip', evidence }];
    }
    if (backlog > 0 && (ackAge === null || ackAge > STALE_ACK_S)) {
      return [{
        id, title, status: 'fail', evidence,
        cause: `${backlog} event(s) wait in the spool and the exchange has acknowledged nothing ${ackAge === null ? 'since the connector started' : `for ${Math.round(ackAge)} s`}: events are not reaching it`,
        remedy: 'see uplink_tcp, tcp.eventing and tls.eventing for why the uplink is down',
      }];
    }
    if (c.events_rejected > 0) {
      return [{ id, title, status: 'warn', evidence, cause: `the exchange rejected ${c.events_rejected} event(s) as invalid`, remedy: 'look for "exchange rejected" in connector.log: it names the event and the field; fix the sensor output or its mapping' }];
    }
    const stuck = s.sources.filter((x) => x.state === 'error' || x.state === 'waiting');
    if (stuck.length > 0) {
      const x = stuck[0]!;
      return [{ id, title, status: 'warn', evidence, cause: `source ${x.name} is ${x.state}${x.detail ? `: ${x.detail}` : ''}`, remedy: x.type === 'zmq' ? `see ipc_socket.${x.name}` : `check that ${x.file ?? 'the sensor\'s output file'} exists and the connector can read it` }];
    }
    if (c.events_rejected_local > 0) {
      return [{ id, title, status: 'warn', evidence, cause: `${c.events_rejected_local} record(s) from the sensors could not be read or mapped`, remedy: 'look for "rejected a record" in connector.log: it quotes a sample' }];
    }
    return [{ id, title, status: 'ok', evidence }];
  },
};
