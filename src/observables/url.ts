// The URL spelling every part agrees on, in a module of its own, like ipv6.ts: the event
// validator needs it, and normalize.ts would bring tldts's public-suffix list along.

/**
 * A URL through the WHATWG parser: scheme and host lower-cased, host in
 * punycode, default port dropped, path, query and fragment kept (percent-encoded
 * where the parser encodes them). Only http, https and ftp with a host.
 */
export function normalizeUrl(input: string): string | null {
  let u: URL;
  try {
    u = new URL(input);
  } catch {
    return null;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:' && u.protocol !== 'ftp:') return null;
  if (u.hostname === '') return null;
  return u.href;
}
