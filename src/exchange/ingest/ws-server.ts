// The eventing endpoint: a WebSocket upgrade on the API's HTTPS port, admitted only with a
// device certificate that is ours, current and not revoked.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import type { ExchangeContext } from '../context.js';
import { deviceFromSocket } from '../auth/device-identity.js';
import { ApiError } from '../api/errors.js';
import { SECURITY_HEADERS } from '../api/security-headers.js';
import { runSession } from './session.js';

export const EVENTING_PATH = '/eventing/v1/ws';

function refuse(socket: Duplex, status: number, code: string, message: string): void {
  const body = JSON.stringify({ error: code, message });
  const head = [
    `HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : status === 404 ? 'Not Found' : 'Error'}`,
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Cache-Control: no-store',
    'Connection: close',
    ...Object.entries(SECURITY_HEADERS).map(([k, v]) => `${k}: ${v}`),
  ];
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
}

export function attachEventing(server: import('node:https').Server, ctx: ExchangeContext): WebSocketServer {
  // Room for a full batch of large events; anything bigger is a misbehaving device.
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024, perMessageDeflate: false });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== EVENTING_PATH) return refuse(socket, 404, 'not_found', `no WebSocket endpoint at ${path}`);
    deviceFromSocket(socket as Socket, ctx.stores).then(({ device }) => {
      const s = socket as Socket;
      const remote = `${s.remoteAddress}:${s.remotePort}`;
      wss.handleUpgrade(req, socket, head, (ws) => runSession(ws, device, remote, ctx));
    }, (err: unknown) => {
      if (err instanceof ApiError) return refuse(socket, err.status, err.code, err.message);
      ctx.log.error({ err }, 'eventing upgrade failed');
      refuse(socket, 500, 'internal', 'internal error');
    });
  });
  return wss;
}
