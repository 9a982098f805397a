// The `query` of GET /ctia/{entity}/search: a small subset of the Lucene query string syntax that
// CTIA passes to Elasticsearch, evaluated here against the stored JSON document. docs/ctia.md
// describes it for API users and must stay in step with this file.
//
// Supported:
//   *  or  *:*                 every entity
//   word                       any field holds the word (see "text match" below)
//   "a phrase"                 any field holds the words in this order
//   field:value                the field (a dotted path: incident_time.opened, observables.value;
//                              arrays are searched element by element) has this value
//   field:"quoted value"       the same, for values with spaces, colons or parentheses
//   field:val*  field:v?l      wildcards: * any run of characters, ? one character
//   field:*   _exists_:field   the field is present and not empty
//   field:[a TO b]  {a TO b}   inclusive / exclusive range, either end may be *; numbers compare
//                              as numbers, everything else as strings (so ISO times work)
//   field:>=a  >a  <=a  <a     open ranges
//   a AND b, a && b, a b       both (juxtaposition means AND, as CTIA's default operator)
//   a OR b, a || b             either; AND binds tighter than OR
//   NOT a, -a, !a              not; a leading + is accepted and ignored
//   ( … )                      grouping
//   \x                         a literal x (\: \* \( \" …)
// Operators are upper case, as in Lucene; lower-case "and" is a word.
//
// Matching is case-insensitive. Fields whose last path segment is a free-text field (title,
// description, short_description, reason, text) and field-less words use a text match: the
// value's words must appear, in order, among the field's words (so title:beacon finds "ET
// MALWARE test beacon"); a wildcard there may match the whole field or any one word. Every
// other field must equal the value as a whole (status:Open does not find "Open: Investigating").
// Not supported: fuzzy (~), boosts (^), regular expressions (/…/), proximity.

export type QueryNode =
  | { k: 'all' }
  | { k: 'and'; items: QueryNode[] }
  | { k: 'or'; items: QueryNode[] }
  | { k: 'not'; item: QueryNode }
  /** exact: whole-value equality even on a text field (the search route's filters). */
  | { k: 'term'; field: string | null; value: string; quoted: boolean; exact?: boolean }
  | { k: 'exists'; field: string }
  | { k: 'range'; field: string; lo: string | null; hi: string | null; loInc: boolean; hiInc: boolean };

export const MAX_QUERY_LENGTH = 4096;
const MAX_DEPTH = 32;
const TEXT_FIELDS = new Set(['title', 'description', 'short_description', 'reason', 'text']);
export const FIELD_PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

export class QuerySyntaxError extends Error {}

type Token =
  | { t: '(' | ')' | 'AND' | 'OR' | 'NOT'; at: number }
  | { t: 'term'; at: number; node: QueryNode };

// ── lexer ────────────────────────────────────────────────────────────────────────────────────

const STOP = new Set([' ', '\t', '\n', '\r', '(', ')']);

function readQuoted(s: string, i: number): { text: string; end: number } {
  let out = '';
  for (let j = i + 1; j < s.length; j++) {
    const c = s[j]!;
    if (c === '\\' && j + 1 < s.length) { out += s[++j]; continue; }
    if (c === '"') return { text: out, end: j + 1 };
    out += c;
  }
  throw new QuerySyntaxError(`query: the quote at ${i + 1} is never closed`);
}

/** A run of characters up to white space or a parenthesis; backslash escapes stay in. */
function readWord(s: string, i: number): { raw: string; end: number } {
  let j = i;
  while (j < s.length && !STOP.has(s[j]!)) {
    if (s[j] === '\\' && j + 1 < s.length) j++;
    j++;
  }
  return { raw: s.slice(i, j), end: j };
}

function unescape(raw: string): string {
  return raw.replace(/\\(.)/gs, '$1');
}

/** The index of the first unescaped `:`, or -1. */
function fieldColon(raw: string): number {
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === '\\') { i++; continue; }
    if (raw[i] === ':') return i;
  }
  return -1;
}

function readRange(s: string, i: number, field: string): { node: QueryNode; end: number } {
  // Lucene allows mixed ends ([a TO b}), so the range ends at the first ] or }.
  const m = /[\]}]/.exec(s.slice(i));
  if (!m) throw new QuerySyntaxError(`query: the range at ${i + 1} is never closed`);
  const end = i + m.index;
  const parts = s.slice(i + 1, end).trim().split(/\s+TO\s+/);
  if (parts.length !== 2) throw new QuerySyntaxError(`query: a range is written ${field}:[low TO high] (at ${i + 1})`);
  const bound = (b: string) => (b === '*' ? null : b.startsWith('"') && b.endsWith('"') && b.length >= 2 ? b.slice(1, -1) : unescape(b));
  return {
    node: { k: 'range', field, lo: bound(parts[0]!), hi: bound(parts[1]!), loInc: s[i] === '[', hiInc: s[end] === ']' },
    end: end + 1,
  };
}

function comparison(field: string, value: string): QueryNode | null {
  const m = /^(>=|<=|>|<)(.+)$/s.exec(value);
  if (!m) return null;
  const v = unescape(m[2]!);
  switch (m[1]) {
    case '>': return { k: 'range', field, lo: v, hi: null, loInc: false, hiInc: false };
    case '>=': return { k: 'range', field, lo: v, hi: null, loInc: true, hiInc: false };
    case '<': return { k: 'range', field, lo: null, hi: v, loInc: false, hiInc: false };
    default: return { k: 'range', field, lo: null, hi: v, loInc: false, hiInc: true };
  }
}

function readTerm(s: string, i: number): { node: QueryNode; end: number } {
  if (s[i] === '"') {
    const q = readQuoted(s, i);
    return { node: { k: 'term', field: null, value: q.text, quoted: true }, end: q.end };
  }
  const w = readWord(s, i);
  const colon = fieldColon(w.raw);
  const field = colon > 0 ? w.raw.slice(0, colon) : '';
  if (colon <= 0 || !FIELD_PATH.test(field)) {
    if (w.raw === '*' || w.raw === '*:*') return { node: { k: 'all' }, end: w.end };
    return { node: { k: 'term', field: null, value: w.raw, quoted: false }, end: w.end };
  }
  const rest = w.raw.slice(colon + 1);
  const after = i + colon + 1;
  if (s[after] === '"') {
    const q = readQuoted(s, after);
    return { node: { k: 'term', field, value: q.text, quoted: true }, end: q.end };
  }
  if (s[after] === '[' || s[after] === '{') return readRange(s, after, field);
  if (rest === '') throw new QuerySyntaxError(`query: ${field}: has no value (at ${i + 1}); write ${field}:value or ${field}:"a value"`);
  if (field === '_exists_') {
    const f = unescape(rest);
    if (!FIELD_PATH.test(f)) throw new QuerySyntaxError(`query: _exists_ needs a field name, not "${f}"`);
    return { node: { k: 'exists', field: f }, end: w.end };
  }
  if (rest === '*') return { node: { k: 'exists', field }, end: w.end };
  const cmp = comparison(field, rest);
  if (cmp) return { node: cmp, end: w.end };
  return { node: { k: 'term', field, value: rest, quoted: false }, end: w.end };
}

function lex(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (STOP.has(c) && c !== '(' && c !== ')') { i++; continue; }
    if (c === '(' || c === ')') { out.push({ t: c, at: i }); i++; continue; }
    if (s.startsWith('&&', i)) { out.push({ t: 'AND', at: i }); i += 2; continue; }
    if (s.startsWith('||', i)) { out.push({ t: 'OR', at: i }); i += 2; continue; }
    if ((c === '-' || c === '!') && i + 1 < s.length && !STOP.has(s[i + 1]!)) { out.push({ t: 'NOT', at: i }); i++; continue; }
    if (c === '+' && i + 1 < s.length && !STOP.has(s[i + 1]!)) { i++; continue; }
    const w = readWord(s, i);
    if (w.raw === 'AND' || w.raw === 'OR' || w.raw === 'NOT') { out.push({ t: w.raw, at: i }); i = w.end; continue; }
    const term = readTerm(s, i);
    out.push({ t: 'term', at: i, node: term.node });
    i = term.end;
  }
  return out;
}

// ── parser ───────────────────────────────────────────────────────────────────────────────────

class Parser {
  private i = 0;
  constructor(private readonly toks: Token[]) {}

  parse(): QueryNode {
    if (this.toks.length === 0) return { k: 'all' };
    const n = this.or(0);
    const extra = this.toks[this.i];
    if (extra) throw new QuerySyntaxError(`query: unexpected "${extra.t === 'term' ? 'term' : extra.t}" at ${extra.at + 1}`);
    return n;
  }

  private or(depth: number): QueryNode {
    const items = [this.and(depth)];
    while (this.toks[this.i]?.t === 'OR') { this.i++; items.push(this.and(depth)); }
    return items.length === 1 ? items[0]! : { k: 'or', items };
  }

  private and(depth: number): QueryNode {
    const items = [this.unary(depth)];
    for (;;) {
      const t = this.toks[this.i];
      if (!t || t.t === ')' || t.t === 'OR') break;
      if (t.t === 'AND') this.i++;
      items.push(this.unary(depth));
    }
    return items.length === 1 ? items[0]! : { k: 'and', items };
  }

  private unary(depth: number): QueryNode {
    if (depth > MAX_DEPTH) throw new QuerySyntaxError(`query: nested more than ${MAX_DEPTH} deep`);
    const t = this.toks[this.i];
    if (!t) throw new QuerySyntaxError('query: ends where a term was expected');
    this.i++;
    if (t.t === 'NOT') return { k: 'not', item: this.unary(depth + 1) };
    if (t.t === '(') {
      const n = this.or(depth + 1);
      if (this.toks[this.i]?.t !== ')') throw new QuerySyntaxError(`query: the "(" at ${t.at + 1} is never closed`);
      this.i++;
      return n;
    }
    if (t.t === 'term') return t.node;
    throw new QuerySyntaxError(`query: unexpected "${t.t}" at ${t.at + 1}`);
  }
}

export function parseQuery(q: string | undefined): QueryNode {
  const s = (q ?? '').trim();
  if (s.length > MAX_QUERY_LENGTH) throw new QuerySyntaxError(`query: longer than ${MAX_QUERY_LENGTH} characters`);
  return new Parser(lex(s)).parse();
}

// ── matching ─────────────────────────────────────────────────────────────────────────────────

type Leaf = string | number | boolean;

function collect(v: unknown, out: Leaf[]): void {
  if (v === null || v === undefined) return;
  if (Array.isArray(v)) { for (const x of v) collect(x, out); return; }
  if (typeof v === 'object') { for (const x of Object.values(v as object)) collect(x, out); return; }
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out.push(v);
}

/** The scalar values at a dotted path, through arrays at any level. */
export function valuesAt(doc: unknown, path: string): Leaf[] {
  let cur: unknown[] = [doc];
  for (const seg of path.split('.')) {
    const next: unknown[] = [];
    for (const c of cur) {
      const items = Array.isArray(c) ? c : [c];
      for (const it of items) if (it && typeof it === 'object' && !Array.isArray(it) && seg in it) next.push((it as Record<string, unknown>)[seg]);
    }
    cur = next;
  }
  const out: Leaf[] = [];
  for (const c of cur) collect(c, out);
  return out;
}

function words(s: string): string[] {
  return s.toLowerCase().split(/[^\p{L}\p{N}_]+/u).filter(Boolean);
}

function hasWildcard(raw: string): boolean {
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === '\\') { i++; continue; }
    if (raw[i] === '*' || raw[i] === '?') return true;
  }
  return false;
}

function globRegex(raw: string): RegExp {
  let re = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '\\' && i + 1 < raw.length) { re += raw[++i]!.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&'); continue; }
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else re += c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 'isu');
}

type Test = (leaf: string) => boolean;

function termTest(value: string, quoted: boolean, text: boolean): Test {
  if (!quoted && hasWildcard(value)) {
    const re = globRegex(value);
    return text ? (leaf) => re.test(leaf) || words(leaf).some((w) => re.test(w)) : (leaf) => re.test(leaf);
  }
  const v = (quoted ? value : unescape(value)).toLowerCase();
  if (!text) return (leaf) => leaf.toLowerCase() === v;
  const want = words(v);
  if (want.length === 0) return (leaf) => leaf.toLowerCase() === v;
  return (leaf) => {
    if (leaf.toLowerCase() === v) return true;
    const have = words(leaf);
    outer: for (let i = 0; i + want.length <= have.length; i++) {
      for (let j = 0; j < want.length; j++) if (have[i + j] !== want[j]) continue outer;
      return true;
    }
    return false;
  };
}

function cmp(a: string, b: string): number {
  const x = Number(a);
  const y = Number(b);
  if (a.trim() !== '' && b.trim() !== '' && Number.isFinite(x) && Number.isFinite(y)) return x - y;
  return a < b ? -1 : a > b ? 1 : 0;
}

export type Matcher = (doc: unknown) => boolean;

function compileNode(n: QueryNode): Matcher {
  switch (n.k) {
    case 'all': return () => true;
    case 'and': { const ms = n.items.map(compileNode); return (d) => ms.every((m) => m(d)); }
    case 'or': { const ms = n.items.map(compileNode); return (d) => ms.some((m) => m(d)); }
    case 'not': { const m = compileNode(n.item); return (d) => !m(d); }
    case 'exists': return (d) => valuesAt(d, n.field).some((v) => v !== '');
    case 'range': return (d) => valuesAt(d, n.field).some((leaf) => {
      const v = String(leaf);
      if (n.lo !== null) { const c = cmp(v, n.lo); if (c < 0 || (c === 0 && !n.loInc)) return false; }
      if (n.hi !== null) { const c = cmp(v, n.hi); if (c > 0 || (c === 0 && !n.hiInc)) return false; }
      return true;
    });
    case 'term': {
      const last = n.field?.split('.').pop();
      const test = termTest(n.value, n.quoted, !n.exact && (n.field === null || TEXT_FIELDS.has(last!)));
      if (n.field === null) {
        return (d) => { const all: Leaf[] = []; collect(d, all); return all.some((l) => test(String(l))); };
      }
      const field = n.field;
      return (d) => valuesAt(d, field).some((l) => test(String(l)));
    }
  }
}

/** Exact (case-insensitive) equality per field, every filter required: the search route's
 * `field=value` parameters. */
export function filtersNode(filters: Record<string, string> | undefined): QueryNode {
  const items: QueryNode[] = [];
  for (const [field, value] of Object.entries(filters ?? {})) {
    if (!FIELD_PATH.test(field)) throw new QuerySyntaxError(`filter: "${field}" is not a field name`);
    items.push({ k: 'term', field, value, quoted: true, exact: true });
  }
  return items.length === 0 ? { k: 'all' } : { k: 'and', items };
}

export function isAll(n: QueryNode): boolean {
  return n.k === 'all' || (n.k === 'and' && n.items.every(isAll));
}

export function compileQuery(query: string | undefined, filters?: Record<string, string>): { all: boolean; match: Matcher } {
  const node: QueryNode = { k: 'and', items: [parseQuery(query), filtersNode(filters)] };
  return { all: isAll(node), match: compileNode(node) };
}
