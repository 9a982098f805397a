/**
 * Refanging: undo the usual ways analysts "defang" indicators so that they
 * cannot be clicked (`hxxp://evil[.]com`, `john[at]evil[.]com`, `1.2.3[.]4`).
 *
 * The rules are deliberately conservative so that ordinary prose and logs are
 * left alone:
 *  - schemes (`hxxp`, `hXXp`, `hxxps`, `h**p`, `fxp`) are rewritten only when a
 *    (possibly defanged) `://` follows;
 *  - bracketed dots (`[.]`, `(.)`, `{.}`, `[dot]`, `(dot)`, `{dot}`) and `\.`
 *    only between two label characters (one space on each side is eaten:
 *    `evil [.] com`);
 *  - a bare ` dot ` only when it is clearly part of a host name: chained
 *    (`evil dot example dot com`), or right after `://` or `@`;
 *  - `[at]`/`(at)` only between a mailbox-ish word and a domain-ish word that
 *    is itself followed by a dot (refanged or not); `[@]`, `(@)`, `{@}` between
 *    two words;
 *  - `[:]`, `{:}`, `[://]`, `(://)`, `{://}`, `[/]`.
 *
 * The text is scanned once (a single regular expression with alternatives).
 */

/**
 * Every alternative starts with a literal character (or white space), so the
 * engine skips through ordinary text fast; whether a hit really is defanging is
 * decided in {@link replaceOne} from the characters around it.
 */
const REFANG_RE = /h(?:xx|\*\*)ps?|fxp| ?[[({](?::(?:\/\/)?|\/|\.|dot|@|at)[\])}] ?|\\\.|\s+dot\s+/gi;
/** Cheap pre-check: if none of these occur there is nothing to refang. */
const HINT_RE = /[[({\\]|h(?:xx|\*\*)p|fxp|\sdot\s/i;

const ANY_DOT = String.raw`(?:\.|\s?(?:\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)|\{dot\})\s?|\s+dot\s+)`;
const SCHEME_SEP = /^(?::\/\/|\[:\]\/\/|[[({]:\/\/[\])}])/;
const AT_RIGHT = new RegExp(String.raw`^\s?[\w-]+${ANY_DOT}[\w-]`, 'i');
const LABEL_DOT_BEFORE = /(?:[a-z0-9-]+(?:\s+dot\s+|\.|\[\.\]|\[dot\]|\(dot\)|\(\.\))[a-z0-9-]+|(?::\/\/|@|\[at\]|\(at\)|\[@\])[a-z0-9-]+)$/i;
const LABEL_DOT_AFTER = /^[a-z0-9-]+(?:\s+dot\s+|\.|\[\.\]|\[dot\]|\(dot\)|\(\.\))[a-z0-9]/i;
const PAIR: Record<string, string> = { '[': ']', '(': ')', '{': '}' };

function isWordish(c: number): boolean {
  // [A-Za-z0-9_-] or any non-ASCII letter (IDN labels)
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 45 || c > 0x7f;
}
function isMailbox(c: number): boolean {
  return isWordish(c) || c === 46 || c === 43; // . +
}

function bareDotIsHost(s: string, offset: number, length: number): boolean {
  const before = s.slice(Math.max(0, offset - 80), offset);
  if (LABEL_DOT_BEFORE.test(before)) return true;
  const after = s.slice(offset + length, offset + length + 80);
  return LABEL_DOT_AFTER.test(after);
}

function replaceOne(m: string, offset: number, s: string): string {
  const end = offset + m.length;
  const c0 = m.charCodeAt(0);
  if (c0 === 104 || c0 === 72 || c0 === 102 || c0 === 70) {
    // h/H/f/F: a defanged scheme, if it starts a word and a separator follows.
    if (offset > 0 && isWordish(s.charCodeAt(offset - 1))) return m;
    if (!SCHEME_SEP.test(s.slice(end, end + 6))) return m;
    const secure = m.length === 5; // hxxps / h**ps
    return (c0 === 102 || c0 === 70 ? 'ftp' : 'http') + (secure ? 's' : '');
  }
  if (c0 === 92) {
    // backslash-dot between two label characters
    return offset > 0 && isWordish(s.charCodeAt(offset - 1)) && isWordish(s.charCodeAt(end)) ? '.' : m;
  }
  const lead = m.length - m.trimStart().length;
  const core = m.trim();
  if (!/^[[({]/.test(core)) {
    // white space, "dot", white space
    return offset > 0 && isWordish(s.charCodeAt(offset - 1)) && isWordish(s.charCodeAt(end)) && bareDotIsHost(s, offset, m.length) ? '.' : m;
  }
  if (PAIR[core[0]!] !== core[core.length - 1]) return m;
  const inner = core.slice(1, -1).toLowerCase();
  const pre = m.slice(0, lead);
  const post = m.slice(lead + core.length);
  const before = offset > 0 ? s.charCodeAt(offset - 1) : NaN;
  // Spaces are eaten only in pairs: "evil [.] com", not "array[.] and".
  if (pre.length !== post.length && (inner === '.' || inner === 'dot' || inner === '@' || inner === 'at')) return m;
  switch (inner) {
    case '://':
      return pre + '://' + post;
    case ':':
      return core[0] === '(' ? m : pre + ':' + post;
    case '/':
      return core[0] === '[' ? pre + '/' + post : m;
    case '.':
    case 'dot':
      // eats one space on each side: "evil [.] com"
      return isWordish(before) && isWordish(s.charCodeAt(end)) ? '.' : m;
    case '@':
      return isMailbox(before) && isWordish(s.charCodeAt(end)) ? '@' : m;
    case 'at':
      return isMailbox(before) && AT_RIGHT.test(s.slice(end - post.length, end + 80)) ? '@' : m;
  }
  return m;
}

export function refang(s: string): string {
  if (!HINT_RE.test(s)) return s;
  return s.replace(REFANG_RE, replaceOne);
}
