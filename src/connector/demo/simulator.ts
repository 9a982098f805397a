// A sensor simulator for `threatlink up --demo`: writes realistic Suricata EVE records to a
// file the demo connector tails through the real `eve` source, so a newcomer sees the whole
// path work — sensor file, connector, spool, TLS uplink, exchange — within seconds.
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

interface Sig { sid: number; rev: number; msg: string; category: string; severity: number; proto: 'TCP' | 'UDP' | 'ICMP'; port: number; app?: string }

const SIGNATURES: Sig[] = [
  { sid: 2024217, rev: 3, msg: 'ET MALWARE Cobalt Strike Beacon Observed', category: 'A Network Trojan was detected', severity: 1, proto: 'TCP', port: 443, app: 'tls' },
  { sid: 2027865, rev: 2, msg: 'ET INFO Observed DNS Query to .top TLD', category: 'Potentially Bad Traffic', severity: 2, proto: 'UDP', port: 53, app: 'dns' },
  { sid: 2013028, rev: 7, msg: 'ET POLICY curl User-Agent Outbound', category: 'Attempted Information Leak', severity: 2, proto: 'TCP', port: 80, app: 'http' },
  { sid: 2019401, rev: 4, msg: 'ET POLICY Vulnerable Java Version 1.8.x Detected', category: 'Potential Corporate Privacy Violation', severity: 3, proto: 'TCP', port: 80, app: 'http' },
  { sid: 2030358, rev: 1, msg: 'ET EXPLOIT Possible Apache log4j RCE Attempt (CVE-2021-44228)', category: 'Attempted Administrator Privilege Gain', severity: 1, proto: 'TCP', port: 8080, app: 'http' },
  { sid: 2008578, rev: 9, msg: 'ET SCAN Sipvicious Scan', category: 'Attempted Information Leak', severity: 2, proto: 'UDP', port: 5060 },
  { sid: 2100366, rev: 8, msg: 'GPL ICMP_INFO PING *NIX', category: 'Misc activity', severity: 3, proto: 'ICMP', port: 0 },
  { sid: 2018959, rev: 4, msg: 'ET POLICY PE EXE or DLL Windows file download HTTP', category: 'Potential Corporate Privacy Violation', severity: 1, proto: 'TCP', port: 80, app: 'http' },
  { sid: 2025431, rev: 2, msg: 'ET TROJAN Emotet CnC Beacon', category: 'A Network Trojan was detected', severity: 1, proto: 'TCP', port: 8080, app: 'http' },
  { sid: 2033966, rev: 1, msg: 'ET HUNTING Suspicious TLS SNI (duckdns.org)', category: 'Misc activity', severity: 3, proto: 'TCP', port: 443, app: 'tls' },
];

const INTERNAL = ['10.10.1.15', '10.10.1.23', '10.10.2.7', '10.10.3.41', '192.168.50.12', '192.168.50.30'];
const EXTERNAL = ['203.0.113.45', '198.51.100.23', '192.0.2.77', '203.0.113.199', '198.51.100.200', '45.33.32.156'];
const DOMAINS = ['update-check.top', 'cdn-secure-login.com', 'evil-c2.duckdns.org', 'files.example-warez.net', 'stats.adtrack.biz', 'login-micros0ft.com'];
const PATHS = ['/gate.php', '/update/check?id=7731', '/download/invoice_2024.exe', '/wp-admin/admin-ajax.php', '/jquery-3.3.1.min.js', '/${jndi:ldap://x/a}'];
const HASHES = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  '2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae',
];
// A few repeat offenders: most traffic comes from them, as it does on a real network.
const OFFENDERS = [[INTERNAL[0]!, EXTERNAL[0]!], [INTERNAL[2]!, EXTERNAL[2]!], [INTERNAL[4]!, EXTERNAL[5]!]] as const;

function pick<T>(a: readonly T[], r: () => number): T {
  return a[Math.floor(r() * a.length)] as T;
}

function suricataTime(d: Date): string {
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}000+0000`;
}

let flow = 1_000_000_000;

/** One EVE alert record, as Suricata 7 writes it. */
export function demoAlert(r: () => number = Math.random, now = new Date()): Record<string, unknown> {
  const sig = pick(SIGNATURES, r);
  const [src, dst] = r() < 0.6 ? pick(OFFENDERS, r) : [pick(INTERNAL, r), pick(EXTERNAL, r)];
  const domain = pick(DOMAINS, r);
  const rec: Record<string, unknown> = {
    timestamp: suricataTime(now),
    flow_id: flow++,
    in_iface: 'eth1',
    event_type: 'alert',
    src_ip: src,
    src_port: sig.proto === 'ICMP' ? undefined : 49152 + Math.floor(r() * 16000),
    dest_ip: dst,
    dest_port: sig.proto === 'ICMP' ? undefined : sig.port,
    proto: sig.proto,
    alert: { action: r() < 0.1 ? 'blocked' : 'allowed', gid: 1, signature_id: sig.sid, rev: sig.rev, signature: sig.msg, category: sig.category, severity: sig.severity },
    app_proto: sig.app,
    flow: { pkts_toserver: 3 + Math.floor(r() * 20), pkts_toclient: 2 + Math.floor(r() * 20), bytes_toserver: 400 + Math.floor(r() * 5000), bytes_toclient: 300 + Math.floor(r() * 90000), start: suricataTime(now) },
  };
  if (sig.proto === 'ICMP') Object.assign(rec, { icmp_type: 8, icmp_code: 0 });
  if (sig.app === 'http') {
    const path = pick(PATHS, r);
    rec.http = { hostname: domain, url: path, http_user_agent: r() < 0.5 ? 'curl/7.88.1' : 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)', http_method: 'GET', protocol: 'HTTP/1.1', status: 200, length: 1024 + Math.floor(r() * 50000) };
    if (path.endsWith('.exe')) rec.fileinfo = { filename: path, sha256: pick(HASHES, r), size: 73802, state: 'CLOSED', stored: false };
  } else if (sig.app === 'dns') {
    rec.dns = { queries: [{ type: 'query', id: Math.floor(r() * 65535), rrname: domain, rrtype: 'A' }] };
  } else if (sig.app === 'tls') {
    rec.tls = { sni: domain, version: 'TLS 1.2', ja3: { hash: '72a589da586844d7f0818ce684948eea' } };
  }
  return JSON.parse(JSON.stringify(rec)) as Record<string, unknown>;
}

/** Appends `perSecond` alerts a second to `file` until stopped. */
export function startSimulator(file: string, perSecond = 5): () => void {
  mkdirSync(dirname(file), { recursive: true });
  const tick = () => {
    const n = Math.max(1, Math.round(perSecond * (0.5 + Math.random())));
    appendFileSync(file, Array.from({ length: n }, () => JSON.stringify(demoAlert())).join('\n') + '\n');
  };
  tick();
  const t = setInterval(tick, 1000);
  return () => clearInterval(t);
}
