// Is the device connected to some node? This node's registry knows its own sockets at once;
// with several nodes (a bus that crosses processes) the shared record knows the others'.
import type { ExchangeContext } from '../context.js';
import type { Device } from '../store/types.js';

export function connectedAnywhere(ctx: ExchangeContext, d: Device): boolean {
  if (ctx.connections.isConnected(d.id)) return true;
  return ctx.bus.kind !== 'memory' && d.connection_state === 'connected';
}
