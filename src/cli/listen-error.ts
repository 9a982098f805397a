// A server socket that could not listen, worded for the setting that chose its address: Node's
// "listen EADDRINUSE: address already in use 127.0.0.1:8443" names neither the option nor a way out.

/** `setting`: what the operator changes, e.g. `--listen 127.0.0.1:8443`. Null when `err` is
 * not a failed listen, to be passed on as it is. */
export function listenError(err: unknown, setting: string): Error | null {
  const e = err as (NodeJS.ErrnoException & { address?: string; port?: number }) | null;
  if (e?.syscall !== 'listen') return null;
  switch (e.code) {
    case 'EADDRINUSE':
      return new Error(`${setting}: the port is in use by another program (EADDRINUSE); stop that program or choose another port (ss -ltnp shows who holds it)`);
    case 'EADDRNOTAVAIL':
      return new Error(`${setting}: ${e.address ?? 'the address'} is not an address of this host (EADDRNOTAVAIL); give one of its addresses, or 0.0.0.0 for all of them`);
    case 'EACCES':
      return new Error(`${setting}: this user may not listen on port ${e.port ?? ''} (EACCES); ports below 1024 need root or CAP_NET_BIND_SERVICE`);
    default:
      return null;
  }
}
