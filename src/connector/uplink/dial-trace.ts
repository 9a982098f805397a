// How far the eventing WebSocket's opening got before its handshake timer ran out. ws reports
// every such timeout as one Node text ("Opening handshake has timed out"), but the two faults
// behind it differ and so must their log lines: SYNs never answered (egress blocked, the note's
// `dial tcp IP:443: getsockopt: connection timed out`) versus a TCP connection made whose
// TLS/HTTP handshake then got no answer (a middlebox or an overloaded exchange).
import * as net from 'node:net';
import * as tls from 'node:tls';
import { READ_DEADLINE, type NetErrorLike } from '../log.js';

export interface DialTrace {
  /** tcp: SYN sent, no connection yet; handshake: connected, TLS or the HTTP upgrade pending. */
  phase: 'tcp' | 'handshake';
  remoteAddress?: string;
  remotePort?: number;
  localAddress?: string;
  localPort?: number;
}

/** ws's `createConnection` for wss: its own tls.connect, watched. */
export function tracedTlsConnect(trace: DialTrace): (o: tls.ConnectionOptions) => tls.TLSSocket {
  return (o) => {
    // As ws's own tlsConnect: a path would make it a Unix socket; SNI only for names.
    const opts: tls.ConnectionOptions = { ...o, path: undefined };
    if (!opts.servername && opts.servername !== '') opts.servername = net.isIP(opts.host ?? '') ? '' : opts.host;
    const s = tls.connect(opts);
    s.once('lookup', (err, address) => { if (!err && !trace.remoteAddress) trace.remoteAddress = address; });
    // Happy eyeballs may try several addresses: the last one tried is the one that hung.
    s.on('connectionAttempt', (ip: string, port: number) => { trace.remoteAddress = ip; trace.remotePort = port; });
    s.once('connect', () => {
      trace.phase = 'handshake';
      trace.remoteAddress = s.remoteAddress ?? trace.remoteAddress;
      trace.remotePort = s.remotePort ?? trace.remotePort;
      trace.localAddress = s.localAddress;
      trace.localPort = s.localPort;
    });
    return s;
  };
}

/**
 * The handshake timer's error as the socket error Go's dialer would have returned: ETIMEDOUT on
 * connect (worded `dial tcp …: getsockopt: connection timed out`), or a read deadline passed on
 * a connected socket (`read tcp L->R: i/o timeout`, as gorilla/websocket's handshake deadline).
 */
export function handshakeTimeoutError(trace: DialTrace, message: string): NetErrorLike {
  const base = {
    address: trace.remoteAddress, port: trace.remotePort,
    localAddress: trace.localAddress, localPort: trace.localPort,
  };
  if (trace.phase === 'tcp') return Object.assign(new Error(message), { code: 'ETIMEDOUT', syscall: 'connect', ...base });
  return Object.assign(new Error(message), { code: READ_DEADLINE, syscall: 'read', ...base });
}
