// One device's eventing connection: batches in, acks out once committed; heartbeats update the
// device record; control frames go out and their acks come back.
import type { WebSocket, RawData } from 'ws';
import type { Device, CommitItem } from '../store/types.js';
import type { ExchangeContext } from '../context.js';
import type { AckFrame, ControlFrame, ExchangeFrame, Rejection, HeartbeatFrame } from '../../protocol/frames.js';
import { PROTOCOL_VERSION } from '../../protocol/frames.js';
import type { DecodedFrame, DecodedItem } from './decode-frame.js';
import type { LiveConnection } from './connections.js';
import { ConnectionRecord } from './connection-record.js';

export function runSession(ws: WebSocket, device: Device, remote: string, ctx: ExchangeContext): void {
  const { config, stores, metrics, connections, bus, counters, log } = ctx;
  const send = (f: ExchangeFrame) => { if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(f)); };
  const socket = (ws as unknown as { _socket: import('node:net').Socket })._socket;
  const since = new Date().toISOString();
  const record = new ConnectionRecord(stores.connectionHistory, {
    device_id: device.id, org_id: device.org_id, connected_at: since, remote_address: remote,
  }, log);
  const conn: LiveConnection = {
    deviceId: device.id, orgId: device.org_id, remote, since,
    send: (f: ControlFrame) => send(f),
    close: (code, reason) => { record.exchangeCloses(code, reason); ws.close(code, reason); },
  };
  connections.add(conn);
  metrics.connected.set(connections.size);
  // A store that is briefly unreachable (a networked database) costs this update, not the process.
  const noted = (what: string) => (err: unknown) => log.warn({ err, device: device.id }, `device ${what} not recorded`);
  // This connection's writes of the device's state, one after another: on a networked store two
  // writes in flight can land in either order, and a quick disconnect would then be overwritten
  // by its own connect (the device shown connected, forever, while it is gone).
  let stateWrites = stores.devices.setConnection(device.id, 'connected', remote, since).catch(noted('connection'));
  log.info({ device: device.id, remote }, 'device connected');
  const tell = (what: string, f: (x: import('../extension.js').ExchangeExtension) => void) => {
    for (const x of ctx.extensions) {
      try { f(x); } catch (err) { log.error({ err, extension: x.name, device: device.id }, `${what} hook failed`); }
    }
  };

  send({
    type: 'hello', protocol: PROTOCOL_VERSION, device_id: device.id, cloud_events: device.cloud_events,
    heartbeat_interval: config.heartbeatSeconds, max_batch_events: config.ingest.maxBatchEvents,
  });

  const badFrame = (message: string) => {
    metrics.badFrames.inc();
    send({ type: 'error', code: 'bad_frame', message });
  };

  // Frames taken off the socket and not yet done with (decoding, or a batch awaiting its
  // commit): at the window, the socket is not read until one is, so a device that ignores its
  // window makes the exchange hold no more than that.
  let inflight = 0;
  let paused = false;
  const window = config.ingest.windowPerConnection;
  const taken = () => {
    inflight++;
    if (inflight >= window && !paused) { paused = true; socket.pause(); }
  };
  const done = () => {
    inflight--;
    if (paused && inflight < window) { paused = false; socket.resume(); }
  };

  const onBatch = (seq: number, count: number, decoded: DecodedItem[], rejected: Rejection[], started: bigint) => {
    const items: CommitItem[] = new Array(decoded.length);
    for (let i = 0; i < decoded.length; i++) {
      const d = decoded[i]!;
      d.event.device_id = device.id;
      const item: CommitItem = { org_id: device.org_id, device_id: device.id, event: d.event };
      if (d.raw_json !== undefined) item.raw_json = d.raw_json;
      items[i] = item;
    }
    for (const r of rejected) metrics.rejected.inc({ code: r.code });
    metrics.received.inc(count);
    record.events += count;
    bus.ingest(device.id, items).then(({ accepted, duplicates }) => {
      metrics.commitLatency.observe(Number(process.hrtime.bigint() - started) / 1e9);
      counters.add(device.id, count, rejected.length);
      const ack: AckFrame = { type: 'ack', seq, accepted, duplicates, rejected };
      send(ack);
    }, (err: unknown) => {
      // Nothing is acked, so the device keeps the batch and resends it after reconnecting.
      log.error({ err, device: device.id, bus: bus.kind }, 'batch not made durable');
      send({ type: 'error', code: 'store_unavailable', message: `events not stored: ${(err as Error).message}` });
      conn.close(1011, 'store unavailable');
    }).finally(done);
  };

  const onHeartbeat = (f: HeartbeatFrame) => {
    const status = typeof f.status === 'object' && f.status !== null ? f.status : {};
    const lastError = status.last_error && typeof status.last_error.message === 'string' ? status.last_error : undefined;
    record.versionSeen(status.version);
    void stores.devices.heartbeat(device.id, new Date().toISOString(), status as Record<string, unknown>, lastError).catch(noted('heartbeat'));
  };

  // After hello, so a device never sees a control frame before it knows the connection.
  tell('device_connected', (x) => x.deviceConnected?.(device.id, device.org_id));

  /** A batch stays taken until its ack; anything else is done with here. */
  const onFrame = (d: DecodedFrame, started: bigint) => {
    if (d.kind === 'batch') return onBatch(d.seq, d.count, d.items, d.rejected, started);
    done();
    if (d.kind === 'bad') return badFrame(d.message);
    if (d.kind === 'too_large') {
      return send({ type: 'error', code: 'batch_too_large', message: `batch ${d.seq} has ${d.count} events; the limit is ${config.ingest.maxBatchEvents}` });
    }
    const f = d.frame;
    switch (f.type) {
      case 'heartbeat':
        return onHeartbeat(f);
      case 'control_ack': {
        if (typeof f.id !== 'string' || (f.status !== 'ok' && f.status !== 'error')) {
          return badFrame('control_ack needs a string "id" and "status" ok or error');
        }
        log.info({ device: device.id, control: f.id, status: f.status, detail: f.detail }, 'control acknowledged');
        const ack = { id: f.id, status: f.status, detail: typeof f.detail === 'string' ? f.detail : undefined };
        return tell('control_ack', (x) => x.controlAck?.(device.id, device.org_id, ack));
      }
      default:
        return badFrame(`unknown frame type ${JSON.stringify((f as { type?: unknown }).type)}`);
    }
  };

  ws.on('message', (data: RawData, isBinary: boolean) => {
    if (isBinary) return badFrame('binary frames are not part of the protocol; send JSON text frames');
    const started = process.hrtime.bigint();
    taken();
    ctx.decoder.decode(data as Buffer).then((d) => onFrame(d, started), (err: unknown) => {
      done();
      // The decoder thread died with this frame: nothing of it was acked, so the device resends.
      log.error({ err, device: device.id }, 'frame not decoded');
      conn.close(1011, 'frame decoder failed');
    });
  });

  ws.on('close', (code: number, reason: Buffer) => {
    record.closed(code, reason.toString());
    connections.remove(conn);
    metrics.connected.set(connections.size);
    if (!connections.isConnected(device.id)) {
      const at = new Date().toISOString();
      stateWrites = stateWrites.then(() => stores.devices.setConnection(device.id, 'disconnected', remote, at)).catch(() => {});
    }
    log.info({ device: device.id }, 'device disconnected');
  });
  ws.on('error', (err) => log.warn({ err, device: device.id }, 'eventing socket error'));
}
