/**
 * Free text → observables, the job of CTR's `POST /iroh/iroh-inspect/inspect`.
 *
 * One regular expression runs once over the (refanged) text and yields four
 * kinds of candidates: URLs (by scheme), "tokens" (runs of host/mail
 * characters that contain a `.`, `:` or `@`), bare hex runs (hashes) and
 * dash-separated MACs. Each candidate is then classified by plain code, which
 * is where the false positives are kept out (versions taken for IPs, file and
 * AV-detection names taken for domains). Observables come out deduplicated by
 * type and normalized value, in the order in which they first appear.
 */
import type { Observable, ObservableType } from './types.js';
import { refang as refangText } from './refang.js';
import {
  hashTypeOf,
  isPublicSuffix,
  normalizeHash,
  normalizeIPv4,
  normalizeIPv6,
  normalizeMac,
  normalizePublicDomain,
  normalizeUrl,
} from './normalize.js';

/** Characters of a token other than the separators `.`, `:` and `@`. */
const W = String.raw`\w+\-\u00c0-\u1fff\u3040-\ufdff\ufe70-\ufefe`;
/** Token characters. */
const T = String.raw`${W}.:@`;

const URL_ALT = String.raw`\b(?:[hH][tT][tT][pP][sS]?|[fF][tT][pP]):\/\/[^\s<>"'\`|,\u3000-\u303f\uff0c\uff0e\uff1a\uff1b]+`;
const TOKEN_ALT = String.raw`(?<![${T}])[${W}]*[.:@][${T}]*`;
const HEX_ALT = String.raw`(?<![${T}])[0-9a-fA-F]{32,64}(?![${T}])`;
const MAC_ALT = String.raw`(?<![${T}])[0-9a-fA-F]{2}(?:-[0-9a-fA-F]{2}){5}(?![${T}])`;

const SCAN_SOURCE = `(${URL_ALT})|(${TOKEN_ALT})|(${HEX_ALT})|(${MAC_ALT})`;

/**
 * Extensions that make a `name.ext` token a `file_name` rather than a domain:
 * executables, scripts, libraries, installers, office documents, archives,
 * disk images. Where the extension is also an ICANN TLD (`.zip`, `.sh`, `.py`,
 * `.md`, `.so`, `.one`, `.cab`) a two-label token (`payload.zip`) is taken as a
 * file name and a longer one (`cdn.files.zip`) as a domain. Extensions whose TLD
 * is far more common in the wild than the file type are left out on purpose:
 * `.com` (DOS executables), `.app`, `.pl` (Perl), `.pub`, `.dot`.
 */
export const FILE_EXTENSIONS: ReadonlySet<string> = new Set([
  // executables, libraries, drivers, installers
  'exe', 'dll', 'sys', 'scr', 'cpl', 'ocx', 'drv', 'efi', 'msi', 'msp', 'msix', 'appx', 'appxbundle',
  'elf', 'so', 'dylib', 'bin', 'apk', 'dex', 'ipa', 'dmg', 'pkg', 'deb', 'rpm', 'jar', 'class', 'war',
  // scripts
  'ps1', 'psm1', 'psd1', 'bat', 'cmd', 'vbs', 'vbe', 'js', 'jse', 'wsf', 'wsh', 'hta', 'sh', 'py', 'pyc',
  'rb', 'php', 'jsp', 'jspx', 'asp', 'aspx', 'ashx', 'lnk', 'url', 'reg', 'inf', 'chm', 'scf',
  // documents
  'doc', 'docx', 'docm', 'dotm', 'xls', 'xlsx', 'xlsm', 'xlsb', 'xlam', 'xll', 'ppt', 'pptx', 'pptm',
  'ppsm', 'rtf', 'pdf', 'odt', 'ods', 'odp', 'one', 'xps', 'csv', 'txt', 'md', 'html', 'htm', 'svg',
  'eml', 'msg', 'ics',
  // archives and images
  'zip', 'rar', '7z', 'tar', 'gz', 'tgz', 'bz2', 'xz', 'cab', 'iso', 'img', 'vhd', 'vhdx', 'arj', 'ace', 'lzh',
]);

/** `name.js`-style technology names that are neither files nor domains. */
const NOT_FILES: ReadonlySet<string> = new Set([
  'node.js', 'vue.js', 'next.js', 'nuxt.js', 'react.js', 'angular.js', 'ember.js', 'backbone.js', 'express.js',
  'd3.js', 'three.js', 'chart.js', 'deno.js', 'nest.js',
]);
/** Technology names that happen to be registered domains but mean the product in prose. */
const NOT_DOMAINS: ReadonlySet<string> = new Set(['asp.net', 'ado.net', 'vb.net']);

/** First labels of antivirus detection names (`Trojan.Win32.Agent`, `Win32.Trojan.Agent`). */
const AV_FIRST: ReadonlySet<string> = new Set([
  'trojan', 'backdoor', 'worm', 'virus', 'heur', 'heuristic', 'generic', 'gen', 'variant', 'adware', 'riskware',
  'spyware', 'ransom', 'ransomware', 'exploit', 'downloader', 'dropper', 'hacktool', 'pua', 'pup', 'rootkit',
  'keylogger', 'packed', 'malware', 'trojan-downloader', 'trojan-dropper', 'trojan-spy', 'trojan-ransom',
  'trojan-psw', 'not-a-virus', 'application', 'unsafe', 'suspicious', 'behavior', 'win32', 'win64', 'w32', 'w64',
  'msil', 'linux', 'android', 'androidos', 'osx', 'macos', 'multi', 'script', 'vbs', 'js', 'html', 'x97m',
  'w97m', 'o97m', 'vba', 'doc', 'pdf',
  // reversed-domain package names (Java, Android): com.example.Foo
  'com', 'org', 'java', 'javax', 'androidx', 'kotlin', 'sun',
]);
/** Platform labels that mark a detection name wherever they appear. */
const AV_ANY: ReadonlySet<string> = new Set(['win32', 'win64', 'w32', 'w64', 'msil', 'x97m', 'w97m', 'o97m']);
/** A detection-name prefix right before the candidate: `W32/Agent.ABC`, `Gen:Variant.Razy`. */
const AV_BEFORE = /(?:^|[^\w])(?:w32|w64|win32|win64|msil|linux|android|osx|macos|js|vbs|html|script|trojan|backdoor|worm|virus|adware|riskware|pua|heur|gen|variant|ransom|exploit|not-a-virus)[/:]$/i;

/** Words that make a following dotted quad a version, not an address; a `Product/` token does too. */
const VERSION_BEFORE = /(?:\b(?:v|ver|version|build|release|rev|revision|firmware|fw|kb)\.?\s*[:=#]?\s*|[A-Za-z][\w.+-]*\/)$/i;

const HEX_IN_URL = /(?<![0-9A-Za-z])[0-9a-fA-F]{32,64}(?![0-9A-Za-z])/g;
const DIGITS_DOTS = /^[0-9.]+$/;
const IP_RANGE = /^([0-9.]+)-([0-9.]+)$/;
const HEX_ONLY = /^[0-9a-fA-F]+$/;
const IPV6_CHARS = /^[0-9a-fA-F:.]+$/;
const MAC_DOTTED = /^[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}$/;
const MAC_COLON_OR_DASH = /^[0-9a-fA-F]{2}([:-])(?:[0-9a-fA-F]{2}\1){4}[0-9a-fA-F]{2}$/;
const NETFILTER_MAC = /^[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){13}$/;
const SCHEME_TAIL = /(?:https?|ftp):$/i;
const LOCAL_PART = /^[A-Za-z0-9._%+-]{1,64}$/;
/** `Message-ID: <id@host>` and its kin look like mailboxes but are not. */
const MESSAGE_ID_BEFORE = /(?:message-id|in-reply-to|references|content-id)\s*:\s*<$/i;

export interface InspectOptions {
  /** Undo defanging first (default true). */
  refang?: boolean;
}

class Collector {
  readonly out: Observable[] = [];
  private readonly seen = new Set<string>();
  add(type: ObservableType, value: string): void {
    const key = `${type}\u0000${value}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.out.push({ type, value });
  }
}

function isLeadTrim(c: number): boolean {
  // . - + _ @ :
  return c === 46 || c === 45 || c === 43 || c === 95 || c === 64 || c === 58;
}

/** Trim separator characters at both ends; returns [start offset delta, trimmed]. */
function trimToken(s: string): [number, string] {
  let a = 0;
  let b = s.length;
  while (a < b && isLeadTrim(s.charCodeAt(a))) a++;
  while (b > a && isLeadTrim(s.charCodeAt(b - 1))) b--;
  return [a, s.slice(a, b)];
}

function isAvName(text: string, start: number, end: number, lower: string, labels: string[]): boolean {
  if (text.charCodeAt(end) === 33 /* '!' as in Emotet.PEF!MTB */) return true;
  if (labels.length >= 3) {
    if (AV_FIRST.has(labels[0]!)) return true;
    for (const l of labels) if (AV_ANY.has(l)) return true;
  }
  if (start > 0) {
    const before = text.slice(Math.max(0, start - 16), start);
    if (AV_BEFORE.test(before)) return true;
  }
  return lower.length === 0;
}

function isVersionContext(text: string, start: number): boolean {
  if (start === 0) return false;
  return VERSION_BEFORE.test(text.slice(Math.max(0, start - 24), start));
}

function addHash(c: Collector, hex: string): boolean {
  const t = hashTypeOf(hex.length);
  if (t === null) return false;
  const v = normalizeHash(t, hex);
  if (v === null) return false;
  c.add(t, v);
  return true;
}

/** A host-like piece (no ':'), `start`/`end` are its offsets in `text`. */
function classifyHost(c: Collector, text: string, piece: string, start: number): void {
  let [d, h] = trimToken(piece);
  start += d;
  const plus = h.lastIndexOf('+');
  if (plus >= 0) {
    [d, h] = trimToken(h.slice(plus + 1));
    start += plus + 1 + d;
  }
  if (h.length === 0) return;
  const end = start + h.length;
  const dot = h.indexOf('.');
  if (dot < 0) {
    if (HEX_ONLY.test(h)) addHash(c, h);
    else if (h.length === 17 && MAC_COLON_OR_DASH.test(h)) c.add('mac_address', normalizeMac(h)!);
    return;
  }
  if (DIGITS_DOTS.test(h)) {
    const ip = normalizeIPv4(h);
    if (ip !== null && !isVersionContext(text, start)) c.add('ip', ip);
    return;
  }
  if (h.length === 14 && MAC_DOTTED.test(h)) {
    c.add('mac_address', normalizeMac(h)!);
    return;
  }
  const range = IP_RANGE.exec(h);
  if (range) {
    const a = normalizeIPv4(range[1]!);
    const b = normalizeIPv4(range[2]!);
    if (a !== null && b !== null && !isVersionContext(text, start)) {
      c.add('ip', a);
      c.add('ip', b);
    }
    return;
  }
  if (h.length === 17 && MAC_COLON_OR_DASH.test(h)) {
    c.add('mac_address', normalizeMac(h)!);
    return;
  }
  const lower = h.toLowerCase();
  const lastDot = lower.lastIndexOf('.');
  const ext = lower.slice(lastDot + 1);
  const labels = lower.split('.');
  if (FILE_EXTENSIONS.has(ext) && lastDot > 0) {
    if (labels.length === 2 || !isPublicSuffix(ext)) {
      if (NOT_FILES.has(lower)) return;
      const stem = h.slice(0, dot);
      if (labels.length === 2 && HEX_ONLY.test(stem)) addHash(c, stem);
      c.add('file_name', h);
      return;
    }
  }
  if (isAvName(text, start, end, lower, labels)) return;
  const dom = normalizePublicDomain(h);
  if (dom !== null && !NOT_DOMAINS.has(dom)) c.add('domain', dom);
}

function classifyPart(c: Collector, text: string, part: string, start: number): void {
  const at = part.lastIndexOf('@');
  if (at < 0) {
    classifyHost(c, text, part, start);
    return;
  }
  // local@domain; the local part is what follows any earlier '@'.
  let local = part.slice(0, at);
  const prevAt = local.lastIndexOf('@');
  if (prevAt >= 0) local = local.slice(prevAt + 1);
  while (local.startsWith('.') || local.startsWith('-')) local = local.slice(1);
  const rawDomain = part.slice(at + 1);
  const [, dom0] = trimToken(rawDomain);
  if (
    local.length > 0 &&
    LOCAL_PART.test(local) &&
    !local.endsWith('.') &&
    !local.includes('..') &&
    !MESSAGE_ID_BEFORE.test(text.slice(Math.max(0, start - 24), start))
  ) {
    const dom = normalizePublicDomain(dom0);
    if (dom !== null) {
      c.add('email', `${local}@${dom}`);
      c.add('domain', dom);
      return;
    }
  }
  // Not a mailbox (root@10.0.0.5, admin@nas.lan): the host part may still be something.
  classifyHost(c, text, rawDomain, start + at + 1);
}

/**
 * Cheap shape test before the full parse: hex, colons and dots only, a digit
 * somewhere (so `dead::beef` / `Face::Add` in code are not addresses), and
 * either a `::` or the full eight groups (six with a dotted IPv4 tail). Keeps
 * `10:22:33` and other clock times away from the parser.
 */
function looksLikeIPv6(s: string): boolean {
  if (s.length < 3 || s.length > 45) return false;
  if (!s.includes('::')) {
    let colons = 0;
    for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === 58) colons++;
    if (colons !== 7 && !(colons === 6 && s.includes('.'))) return false;
  }
  return IPV6_CHARS.test(s) && /[0-9]/.test(s);
}

function classifyToken(c: Collector, text: string, raw: string, start: number): void {
  const [d, tok] = trimToken(raw);
  // '::1' and '::ffff:…' start with the separator that trimToken removes.
  const v6 = raw.startsWith('::') ? raw.replace(/[.:]+$/, (m) => (m === '::' ? m : '')) : tok;
  if (v6.includes(':')) {
    if (v6.length === 17 && MAC_COLON_OR_DASH.test(v6)) {
      c.add('mac_address', normalizeMac(v6)!);
      return;
    }
    if (v6.length === 41 && NETFILTER_MAC.test(v6)) {
      // iptables/ufw `MAC=` field: destination MAC, source MAC, EtherType.
      c.add('mac_address', v6.slice(0, 17).toLowerCase());
      c.add('mac_address', v6.slice(18, 35).toLowerCase());
      return;
    }
    if (looksLikeIPv6(v6)) {
      const ip6 = normalizeIPv6(v6) ?? normalizeIPv6(raw.endsWith('::') ? raw : '');
      if (ip6 !== null && ip6 !== '::') {
        c.add('ipv6', ip6);
        return;
      }
    }
    // host:port, Label:value, HEUR:Trojan… — look at each piece.
    let off = 0;
    for (const part of tok.split(':')) {
      if (part.length > 0) classifyPart(c, text, part, start + d + off);
      off += part.length + 1;
    }
    return;
  }
  classifyPart(c, text, tok, start + d);
}

/** Strip trailing punctuation and unbalanced closing brackets from a URL candidate. */
function trimUrl(u: string): string {
  let end = u.length;
  for (;;) {
    if (end === 0) break;
    const ch = u[end - 1]!;
    if ('.,;:!?*\'"'.includes(ch)) {
      end--;
      continue;
    }
    const open = ch === ')' ? '(' : ch === ']' ? '[' : ch === '}' ? '{' : ch === '>' ? '<' : null;
    if (open !== null) {
      const body = u.slice(0, end);
      let opens = 0;
      let closes = 0;
      for (let i = 0; i < body.length; i++) {
        if (body[i] === open) opens++;
        else if (body[i] === ch) closes++;
      }
      if (closes > opens) {
        end--;
        continue;
      }
    }
    break;
  }
  return u.slice(0, end);
}

function classifyUrl(c: Collector, raw: string): void {
  const href = normalizeUrl(trimUrl(raw));
  if (href === null) return;
  const u = new URL(href);
  const host = u.hostname;
  let hostObs: Observable | null = null;
  if (host.startsWith('[')) {
    const v = normalizeIPv6(host);
    if (v !== null) hostObs = { type: 'ipv6', value: v };
  } else {
    const v4 = normalizeIPv4(host);
    if (v4 !== null) hostObs = { type: 'ip', value: v4 };
    else {
      const dom = normalizePublicDomain(host);
      if (dom !== null) hostObs = { type: 'domain', value: dom };
    }
  }
  // A URL whose host is neither an address nor a public domain (localhost,
  // intranet.local) is not reported: nothing outside can say anything about it.
  if (hostObs === null) return;
  c.add('url', href);
  c.add(hostObs.type, hostObs.value);
  const rest = href.slice(href.indexOf('/', u.protocol.length + 2));
  if (rest.length >= 32) {
    HEX_IN_URL.lastIndex = 0;
    for (let m = HEX_IN_URL.exec(rest); m !== null; m = HEX_IN_URL.exec(rest)) addHash(c, m[0]);
  }
}

/** Extract observables from text as it is (no refanging). */
export function extractObservables(text: string): Observable[] {
  const c = new Collector();
  const re = new RegExp(SCAN_SOURCE, 'g');
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const [, url, token, hex, mac] = m;
    if (url !== undefined) classifyUrl(c, url);
    else if (token !== undefined) {
      let tok = token;
      // "see:http://…" — the token stopped at the scheme; hand the scheme back to the URL branch.
      const end = m.index + tok.length;
      if (tok.endsWith(':') && text.startsWith('//', end)) {
        const s = SCHEME_TAIL.exec(tok);
        if (s !== null) {
          tok = tok.slice(0, s.index);
          re.lastIndex = m.index + s.index;
        }
      }
      if (tok.length > 0) classifyToken(c, text, tok, m.index);
    } else if (hex !== undefined) addHash(c, hex);
    else if (mac !== undefined) c.add('mac_address', normalizeMac(mac)!);
  }
  return c.out;
}

/**
 * What CTR's inspect does: refang, extract, normalize, deduplicate.
 * The result lists each (type, value) once, in order of first appearance.
 */
export function inspect(content: string, options: InspectOptions = {}): Observable[] {
  const text = options.refang === false ? content : refangText(content);
  return extractObservables(text);
}
