// The DNS-name spelling every part agrees on, in a module of its own, like ipv6.ts: the event
// validator needs it, and normalize.ts would bring tldts's public-suffix list along.
import { domainToASCII } from 'node:url';

const LABEL_RE = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;

/**
 * A syntactically valid DNS name: lower-case, trailing dot removed, IDN
 * converted to punycode (`пример.рф` → `xn--e1afmkfd.xn--p1ai`), at least two
 * labels. Says nothing about whether the suffix is real: see {@link normalizePublicDomain}.
 */
export function normalizeDomain(input: string): string | null {
  let s = input.endsWith('.') ? input.slice(0, -1) : input;
  if (s.length === 0 || s.length > 253) return null;
  // domainToASCII lower-cases and applies IDNA (UTS #46); '' means invalid.
  // Pure-ASCII names skip it (it is the slow part).
  // eslint-disable-next-line no-control-regex
  s = /^[\x00-\x7f]*$/.test(s) ? s.toLowerCase() : domainToASCII(s);
  if (s.length === 0 || s.length > 253) return null;
  const labels = s.split('.');
  if (labels.length < 2) return null;
  for (const l of labels) if (!LABEL_RE.test(l)) return null;
  // The top-level label is never all digits (that would be an IPv4 address or a version).
  if (/^[0-9]+$/.test(labels[labels.length - 1] ?? '')) return null;
  return s;
}
