// The /proc readers behind ipc_socket and uplink_tcp: sample text as the kernel writes it, a
// fake /proc tree for fd ownership, and this process's own sockets read live.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync, rmSync, mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseNetUnix, readNetUnix } from '../src/doctor/proc/net-unix.js';
import { decodeAddress, parseNetTcp, readNetTcp } from '../src/doctor/proc/net-tcp.js';
import { ownerText, parseSocketLink, processCmdline, socketInodes, socketOwners } from '../src/doctor/proc/fds.js';

const NET_UNIX = `Num       RefCount Protocol Flags    Type St Inode Path
00000000bb7a4626: 00000002 00000000 00010000 0001 01 382276 /ngfw/var/sf/run/EventHandler_SSEConnector.sock
0000000011111111: 00000003 00000000 00000000 0001 03 378537 /ngfw/var/sf/run/EventHandler_SSEConnector.sock
000000001cb6bd03: 00000003 00000000 00000000 0001 03 378536
000000000b1e5ebe: 00000002 00000000 00000000 0002 01  1610 @/org/freedesktop/systemd1/notify
0000000022222222: 00000002 00000000 00010000 0005 01  4242 /run/dir with space/x.sock
0000000033333333: 00000002 00000000 00000000 0001 02  4243
`;

test('parseNetUnix: LISTENING from the accept flag, CONNECTED with the listener\'s path, unnamed peers, abstract and spaced paths', () => {
  const rows = parseNetUnix(NET_UNIX);
  assert.deepEqual(rows, [
    { inode: 382276, type: 'stream', state: 'listening', path: '/ngfw/var/sf/run/EventHandler_SSEConnector.sock' },
    { inode: 378537, type: 'stream', state: 'connected', path: '/ngfw/var/sf/run/EventHandler_SSEConnector.sock' },
    { inode: 378536, type: 'stream', state: 'connected' },
    { inode: 1610, type: 'dgram', state: 'unconnected', path: '@/org/freedesktop/systemd1/notify' },
    { inode: 4242, type: 'seqpacket', state: 'listening', path: '/run/dir with space/x.sock' },
    { inode: 4243, type: 'stream', state: 'connecting' },
  ]);
  assert.deepEqual(parseNetUnix('garbage\n\n'), []);
});

// The note's lsof lines, as /proc/net/tcp has them: the local API listening, an uplink in
// SYN_SENT to 100.25.93.234:443, and an ESTABLISHED one to 35.172.147.246:443.
const NET_TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:231D 00000000:0000 0A 00000000:00000000 00:00000000 00000000   999        0 3022789647 1 0000000000000000 100 0 0 10 0
   1: C801A8C0:D112 EA5D1964:01BB 02 00000001:00000000 01:00000200 00000002   999        0 110237499 2 0000000000000000 100 0 0 10 -1
   2: C801A8C0:DCAF F693AC23:01BB 01 00000000:00000000 02:000AF0A5 00000000   999        0 26077679 1 0000000000000000 20 4 30 10 -1
`;
const NET_TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0000000000000000FFFF00000100007F:C350 0000000000000000FFFF00000100007F:20FB 01 00000000:00000000 00:00000000 00000000     0        0 555 1 0000000000000000 20 4 0 10 -1
   1: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 556 1 0000000000000000 100 0 0 10 0
`;

test('parseNetTcp: addresses and ports decoded, states named, inodes kept', () => {
  const rows = parseNetTcp(NET_TCP);
  assert.deepEqual(rows.map((r) => [`${r.local.address}:${r.local.port}`, `${r.remote.address}:${r.remote.port}`, r.state, r.uid, r.inode]), [
    ['127.0.0.1:8989', '0.0.0.0:0', 'LISTEN', 999, 3022789647],
    ['192.168.1.200:53522', '100.25.93.234:443', 'SYN_SENT', 999, 110237499],
    ['192.168.1.200:56495', '35.172.147.246:443', 'ESTABLISHED', 999, 26077679],
  ]);
  const six = parseNetTcp(NET_TCP6);
  assert.deepEqual(six.map((r) => [r.local.address, r.local.port, r.remote.address, r.remote.port, r.state]), [
    ['127.0.0.1', 50000, '127.0.0.1', 8443, 'ESTABLISHED'],
    ['::1', 8080, '::', 0, 'LISTEN'],
  ]);
});

test('decodeAddress: IPv4, IPv6 with the longest zero run compressed, v4-mapped as IPv4', () => {
  assert.equal(decodeAddress('F631CD12'), '18.205.49.246');
  assert.equal(decodeAddress('B80D0120000000000000000001000000'), '2001:db8::1');
  assert.equal(decodeAddress('B80D0120000000000100000001000000'), '2001:db8::1:0:1');
  assert.equal(decodeAddress('00000000000000000000000000000000'), '::');
  assert.equal(decodeAddress('0000000000000000FFFF0000F631CD12'), '18.205.49.246');
});

test('parseSocketLink: only socket:[inode] links', () => {
  assert.equal(parseSocketLink('socket:[382276]'), 382276);
  assert.equal(parseSocketLink('pipe:[12]'), null);
  assert.equal(parseSocketLink('/var/log/connector.log'), null);
  assert.equal(parseSocketLink('anon_inode:[eventpoll]'), null);
});

test('socketOwners and socketInodes on a /proc tree: pid/comm per inode, netstat -p style', async () => {
  const root = mkdtempSync(join(tmpdir(), 'tl-proc-'));
  try {
    const proc = (pid: number, comm: string, fds: Record<string, string>) => {
      mkdirSync(join(root, String(pid), 'fd'), { recursive: true });
      writeFileSync(join(root, String(pid), 'comm'), `${comm}\n`);
      writeFileSync(join(root, String(pid), 'cmdline'), `${comm}\0--flag\0value\0`);
      for (const [fd, target] of Object.entries(fds)) symlinkSync(target, join(root, String(pid), 'fd', fd));
    };
    proc(11204, 'EventHandler', { 0: '/dev/null', 7: 'socket:[382276]', 8: 'socket:[378537]' });
    proc(60815, 'connector', { 10: 'socket:[3022789647]', 12: 'socket:[110237499]', 13: 'pipe:[9]' });
    // A socket shared by two processes (inherited across fork).
    proc(60816, 'connector', { 3: 'socket:[3022789647]' });
    mkdirSync(join(root, 'self'));
    assert.deepEqual([...(await socketInodes(60815, root))].sort(), [110237499, 3022789647]);
    const owners = await socketOwners(root);
    assert.equal(owners.unreadable, 0);
    assert.equal(ownerText(owners.byInode.get(382276)), '11204/EventHandler');
    assert.equal(ownerText(owners.byInode.get(3022789647)), '60815/connector, 60816/connector');
    assert.equal(ownerText(owners.byInode.get(1)), 'unknown process');
    assert.equal(await processCmdline(11204, root), 'EventHandler --flag value');
    assert.equal(await processCmdline(1, root), null);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('live: this process\'s listening TCP and unix sockets are found through its fds', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tl-proc-live-'));
  const listen = (s: Server, ...a: unknown[]) => new Promise<void>((r) => s.listen(...(a as []), () => r()));
  const tcp = createServer();
  const unix = createServer();
  const path = join(dir, 'live.sock');
  try {
    await listen(tcp, 0, '127.0.0.1');
    await listen(unix, path);
    const port = (tcp.address() as { port: number }).port;
    const mine = await socketInodes(process.pid);
    const t = (await readNetTcp(process.pid)).find((s) => s.state === 'LISTEN' && s.local.port === port);
    assert.ok(t, 'the TCP listener is in /proc/<pid>/net/tcp');
    assert.ok(mine.has(t.inode), 'and its inode is one of our fds');
    const u = (await readNetUnix(process.pid)).find((s) => s.path === path);
    assert.equal(u?.state, 'listening');
    assert.ok(mine.has(u.inode));
  } finally {
    tcp.close();
    unix.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
