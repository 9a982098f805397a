// The faults connector.log shows, each with what it means and what to do. The patterns match
// the texts log.ts writes (Go's wording, via goErrorText and zmqEndpointMissing) and the lines
// the troubleshooting note quotes. The first signature that matches a line claims it.
import type { EndpointRole } from '../../protocol/endpoints.js';
import { allowByName, enrollAgain, restartSequence, SYNC_CLOCK } from '../remedies.js';

export interface Where {
  /** The endpoint role the logging site talks to, when it talks to one. */
  role: EndpointRole | null;
  /** That role's host and port from the registration or connector_fqdn; unknown offline. */
  host: string | null;
  port: number | null;
  connectorPort: number | undefined;
  /** The connector.properties being diagnosed, when known (remedies name it). */
  configPath?: string;
}

export interface Signature {
  id: string;
  pattern: RegExp;
  severity: 'fail' | 'warn';
  /** What the line's subject is (an address, a host, a socket path), from the first group. */
  subject?: RegExp;
  meaning(w: Where): string;
  remedy(w: Where, subjects: string[]): string;
}

const endpoint = (w: Where): string => (w.role ? `the ${w.role} endpoint${w.host ? ` ${w.host}` : ''}` : 'the exchange');

export const SIGNATURES: readonly Signature[] = [
  {
    id: 'zmq_endpoint_refused',
    pattern: /Could not connect to ZeroMQ PUSH endpoint.*(?:connection refused|连接被拒绝)/,
    severity: 'fail',
    subject: /(ipc:\/\/[^"\s\\]+)/,
    meaning: () => "the sensor's socket file exists but nothing listens on it: the sensor's event handler is down",
    remedy: (w) => `restart the sensor's event handler, then ${restartSequence(w.configPath)}`,
  },
  {
    id: 'zmq_endpoint_missing',
    pattern: /Could not connect to ZeroMQ PUSH endpoint/,
    severity: 'fail',
    subject: /(ipc:\/\/[^"\s\\]+)/,
    meaning: () => "the sensor's ZeroMQ socket does not exist: its event handler has not created it (the post-upgrade case)",
    remedy: (w) => restartSequence(w.configPath),
  },
  {
    id: 'dial_timeout',
    pattern: /dial tcp \S+: (?:getsockopt: |connect: )?(?:connection timed out|i\/o timeout)/,
    severity: 'fail',
    subject: /dial tcp (\S+?):? (?:getsockopt|connect|i\/o)/,
    meaning: (w) => `TCP connects to ${endpoint(w)} time out: egress is blocked (SYNs dropped by a firewall)`,
    remedy: (w, subjects) => `${allowByName(w.host ?? `${endpoint(w)}'s host`, w.port ?? 443)}; addresses seen: ${subjects.join(', ')}`,
  },
  {
    // After a connect that succeeded: not a blocked port, so not dial_timeout's remedy.
    id: 'handshake_timeout',
    pattern: /read tcp \S+: i\/o timeout/,
    severity: 'fail',
    subject: /read tcp (?:\S+->)?(\S+?): i\/o timeout/,
    meaning: (w) => `TCP connects to ${endpoint(w)} succeed, but the TLS or WebSocket handshake on them gets no answer: something on the path (TLS inspection, a proxy, an IPS) holds it, or the exchange is overloaded`,
    remedy: (w, subjects) => `run \`curl -v https://${w.host ?? '<exchange host>'}${w.port && w.port !== 443 ? `:${w.port}` : ''} --cacert connectorCA.pem\` from this host: if it stops after "Connected to", exempt the exchange from TLS inspection on the path; addresses seen: ${subjects.join(', ')}`,
  },
  {
    id: 'connection_refused',
    pattern: /dial tcp \S+: connect: connection refused/,
    severity: 'fail',
    subject: /dial tcp (\S+?):? connect/,
    meaning: (w) => `${endpoint(w)} refuses connections: nothing listens there (exchange down, wrong port in connector_fqdn, or a firewall rejecting)`,
    remedy: (w) => `check that the exchange runs and listens on ${w.host ? `${w.host}:${w.port}` : 'the port in connector_fqdn'}, and that no firewall rejects the connection`,
  },
  {
    id: 'no_such_host',
    pattern: /lookup \S+?(?: on \S+)?: no such host/,
    severity: 'fail',
    subject: /lookup (\S+?)(?: on \S+)?: no such host/,
    meaning: (w) => `the name of ${endpoint(w)} does not resolve: DNS`,
    remedy: (_w, subjects) => `make ${subjects.join(', ')} resolvable from this host: check /etc/resolv.conf and that its DNS servers answer`,
  },
  {
    id: 'no_route',
    pattern: /dial tcp \S+: connect: (?:no route to host|network is unreachable)/,
    severity: 'fail',
    subject: /dial tcp (\S+?):? connect/,
    meaning: (w) => `there is no route to ${endpoint(w)}`,
    remedy: (_w, subjects) => `fix routing from this host to ${subjects.join(', ')} (\`ip route get <address>\`)`,
  },
  {
    id: 'x509_unknown_authority',
    pattern: /x509: certificate signed by unknown authority|but the registration token expects/,
    severity: 'fail',
    meaning: (w) => `${endpoint(w)} presented a certificate connectorCA.pem does not vouch for: TLS interception by a proxy or firewall, or the wrong exchange`,
    remedy: (w) => `exempt ${w.host ?? 'the exchange'} from TLS inspection, or point connector_fqdn at the exchange that issued connectorCA.pem`,
  },
  {
    id: 'x509_name_mismatch',
    pattern: /x509: (?:certificate is valid for .*, not \S+|certificate is not valid for any names|cannot validate certificate for)/,
    severity: 'fail',
    meaning: (w) => `the certificate ${endpoint(w)} presented is for another name: wrong connector_fqdn, or interception`,
    remedy: () => "set connector_fqdn to a name the exchange's certificate carries (`threatlink up --public-host`)",
  },
  {
    id: 'device_refused',
    pattern: /the exchange refused this device|\b(?:401|403)\b.*certificate_(?:revoked|required)/,
    severity: 'fail',
    meaning: () => 'the exchange refused this device (401/403): it was deleted or its certificate revoked',
    remedy: (w) => enrollAgain(w.connectorPort),
  },
  {
    id: 'token_refused',
    pattern: /\btoken_(?:expired|used|unknown|revoked|malformed)\b/,
    severity: 'fail',
    subject: /\b(token_(?:expired|used|unknown|revoked|malformed))\b/,
    meaning: () => 'the registration token was refused (expired, already used, revoked or unknown)',
    remedy: (w) => enrollAgain(w.connectorPort),
  },
  {
    id: 'clock_skew',
    pattern: /certificate has expired or is not yet valid|clock skew|clock is (?:ahead|behind)/i,
    severity: 'fail',
    meaning: () => "a certificate looked expired or not yet valid: usually this host's clock is wrong",
    remedy: () => `${SYNC_CLOCK}; if the clock is right, the certificate really expired`,
  },
  {
    id: 'connector_port_in_use',
    pattern: /connector_port \d+: listen tcp \S+: bind: address already in use/,
    severity: 'fail',
    subject: /connector_port (\d+)/,
    meaning: () => 'the connector could not start: another program holds connector_port, so its local API cannot listen',
    remedy: (w, subjects) => `find the program on port ${subjects[0] ?? w.connectorPort ?? 'connector_port'} (\`ss -ltnp\`), stop it or set another connector_port${w.configPath ? ` in ${w.configPath}` : ''}, then start the connector again`,
  },
  {
    id: 'disk_full',
    pattern: /no space left on device|\bENOSPC\b|disk (?:is )?full/i,
    severity: 'fail',
    meaning: () => 'the disk is full: the spool, checkpoints and log cannot be written',
    remedy: () => 'free space on the filesystem of data_dir (`df -h <data_dir>`), then restart the connector',
  },
  {
    id: 'spool_full',
    pattern: /spool full|spool: full/,
    severity: 'fail',
    meaning: () => 'the spool reached spool_max_bytes and unsent events were dropped: the exchange has not been acknowledging',
    remedy: () => 'get the uplink working (the other signatures and checks say why it is down); raise spool_max_bytes to ride out longer outages',
  },
];

/** The role each logging site talks to (log.ts SITES). */
export const SITE_ROLES: Readonly<Record<string, EndpointRole>> = {
  'events:connectWebSocket': 'eventing',
  'events:sendBatch': 'eventing',
  'heartbeat:send': 'eventing',
  'registration:register': 'api',
  'registration:refresh': 'api',
  'enroll:simpleEnroll': 'api',
  'enroll:renewCertificate': 'est',
};

/** What a site logs once the fault it reported is over. */
export const RECOVERY: Readonly<Record<string, RegExp>> = {
  'events:connectWebSocket': /^connected to \S+ as device/,
  'registration:register': /^registered as device/,
  'enroll:renewCertificate': /^device certificate renewed/,
  '(*Service). Start': /connected to ZeroMQ PUSH endpoint/,
};
