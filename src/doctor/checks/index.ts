// Every check, in the troubleshooting note's order: cloud services and registration, then
// connectivity to each endpoint, the connector's status, the event flow, its log, and last the
// exchange's own view. Results are reported in this order, whatever order they finish in.
import type { Check } from '../check.js';
import { propertiesCheck } from './properties.js';
import { cloudEventsCheck } from './cloud-events.js';
import { registrationCheck } from './registration.js';
import { certificateCheck } from './certificate.js';
import { clockCheck } from './clock.js';
import { dnsCheck } from './dns.js';
import { tcpCheck } from './tcp.js';
import { tlsCheck } from './tls.js';
import { httpCheck } from './http.js';
import { localApiCheck } from './local-api.js';
import { processCheck } from './process.js';
import { ipcSocketCheck } from './ipc-socket.js';
import { uplinkTcpCheck } from './uplink-tcp.js';
import { eventFlowCheck } from './event-flow.js';
import { spoolCheck } from './spool.js';
import { logCheck } from './log.js';
import { exchangeViewCheck } from './exchange-view.js';

export const CHECKS: readonly Check[] = [
  propertiesCheck,
  cloudEventsCheck,
  registrationCheck,
  certificateCheck,
  clockCheck,
  dnsCheck,
  tcpCheck,
  tlsCheck,
  httpCheck,
  localApiCheck,
  processCheck,
  ipcSocketCheck,
  uplinkTcpCheck,
  eventFlowCheck,
  spoolCheck,
  logCheck,
  exchangeViewCheck,
];
