// What must not leave the host in a troubleshoot bundle: the registration token, proxy
// credentials, and any key whose name says secret, password or token. The file keeps its lines
// (comments and order too), so line numbers in the doctor's findings still point at the right key.

export const REDACTED = '***REDACTED***';

const SECRET_KEY = /secret|passw|token|credential|private[_-]?key|api[_-]?key/i;

/** Registration tokens (tlr1.<id>.<secret>.<ca fingerprint>) wherever they appear: the secret part goes. */
export function scrubTokens(text: string): string {
  return text.replace(/\btlr1\.([A-Za-z0-9_-]{8,64})\.[A-Za-z0-9_-]{16,128}\.([0-9a-f]{64})\b/g, `tlr1.$1.${REDACTED}.$2`);
}

/** user:password@ in a URL value (proxy=http://user:pw@host:3128). */
function scrubUserinfo(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/i, `$1${REDACTED}@`);
}

/** user:password@ in any URL inside free text (a log line, a check's evidence). */
export function scrubUrlCredentials(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^/@\s"'<>]+@/gi, `$1${REDACTED}@`);
}

/**
 * Every secret value connector.properties holds, so that other files quoting one verbatim (a
 * check's evidence, a log line) lose it too: redacting the file alone is not enough.
 */
export function secretValues(entries: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [k, v] of entries) {
    const value = v.trim();
    if (value === '') continue;
    if (isSecretKey(k)) out.push(value);
    const m = /^[a-z][a-z0-9+.-]*:\/\/([^/@\s]*)@/i.exec(value);
    if (m?.[1]) {
      out.push(m[1]);
      const pw = m[1].split(':').slice(1).join(':');
      if (pw) out.push(pw, safeDecode(pw));
    }
  }
  // Very short values would blank out ordinary words; those are not secrets worth the name.
  return [...new Set(out)].filter((x) => x.length >= 4).sort((a, b) => b.length - a.length);
}

const safeDecode = (s: string): string => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

/** The scrub every text file in the bundle gets. */
export function scrubText(text: string, secrets: readonly string[] = []): string {
  let t = scrubUrlCredentials(scrubTokens(text));
  for (const s of secrets) t = t.split(s).join(REDACTED);
  return t;
}

function oddTrailingBackslashes(s: string): boolean {
  let n = 0;
  for (let i = s.length - 1; i >= 0 && s[i] === '\\'; i--) n++;
  return n % 2 === 1;
}

/** The key as Java's Properties reads it: up to the first unescaped '=', ':' or blank. */
function keyOf(line: string): { key: string; end: number } {
  let escaped = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (!escaped && (c === '=' || c === ':' || c === ' ' || c === '\t' || c === '\f')) return { key: line.slice(0, i), end: i };
    escaped = c === '\\' ? !escaped : false;
  }
  return { key: line, end: line.length };
}

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** connector.properties with secret values replaced; a continued secret value goes entirely. */
export function redactProperties(text: string): string {
  const lines = text.split(/(\r\n|\r|\n)/);
  const out: string[] = [];
  for (let i = 0; i < lines.length; i += 2) {
    const line = lines[i] as string;
    const nl = lines[i + 1] ?? '';
    const body = line.replace(/^[ \t\f]+/, '');
    if (body === '' || body[0] === '#' || body[0] === '!') {
      out.push(line + nl);
      continue;
    }
    const indent = line.slice(0, line.length - body.length);
    const { key, end } = keyOf(body);
    // The separator and blanks around it stay as they were.
    const sep = /^[ \t\f]*[=:]?[ \t\f]*/.exec(body.slice(end))?.[0] ?? '';
    let value = body.slice(end + sep.length);
    let continued = oddTrailingBackslashes(body);
    // Continuation lines belong to this entry: a secret may go on over several.
    const extra: string[] = [];
    while (continued && i + 2 < lines.length) {
      i += 2;
      extra.push((lines[i] as string) + (lines[i + 1] ?? ''));
      continued = oddTrailingBackslashes(lines[i] as string);
    }
    const lastNl = extra.length ? (lines[i + 1] ?? '') : nl;
    if (isSecretKey(key)) {
      out.push(`${indent}${key}${sep}${value === '' && extra.length === 0 ? '' : REDACTED}${lastNl}`);
      continue;
    }
    value = scrubUserinfo(value);
    out.push(`${indent}${key}${sep}${scrubTokens(value)}${extra.length ? nl + extra.map(scrubTokens).join('') : nl}`);
  }
  return out.join('');
}
