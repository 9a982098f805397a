// STIX 2.1 patterns reduced to "any of these values". A feed match is one value seen, so a
// pattern is taken only where one value seen is enough to say it holds:
//  - observations joined by OR each count; AND, FOLLOWEDBY and qualifiers (WITHIN, REPEATS,
//    START/STOP) need more than one observation, and one alone would be a false alarm;
//  - inside an observation, comparisons joined by AND describe one object: a value that
//    identifies it (an address, a domain, a URL, a hash) is enough, and the other comparisons
//    only narrow it (`network-traffic:dst_ref.type = 'ipv4-addr'`, a port, `file:name` beside a
//    hash), as MISP's STIX export writes every `ip-dst` and `filename|sha256`. Two different
//    values for one property at once cannot be one object, so such a pattern gives nothing;
//  - a comparison other than `=`, `IN` (and ISSUBSET, an address range) cannot be listed, so
//    an OR with one gives nothing, and beside an AND it only narrows.

export interface PatternTerm { path: string; value: string }

/**
 * What a property path is to the reduction: `id`, a value that identifies the object alone; `weak`,
 * one that does only when nothing else is given (`file:name`); `other`, a constraint only.
 */
export type PathKind = 'id' | 'weak' | 'other';

const TOKEN = new RegExp([
  String.raw`(?<ws>\s+)`,
  // An object path: type:property, then .name, .'quoted name' or [index] steps.
  String.raw`(?<path>[a-z0-9_-]+:(?:[A-Za-z0-9_-]+|'(?:[^'\\]|\\.)*')(?:\.(?:[A-Za-z0-9_-]+|'(?:[^'\\]|\\.)*')|\[(?:\d+|\*)\])*)`,
  String.raw`(?<str>'(?:[^'\\]|\\.)*')`,
  String.raw`(?<punct>[[\](),])`,
  String.raw`(?<op>!=|<=|>=|=|<|>)`,
  String.raw`(?<word>[A-Za-z]+|[tbh]'[^']*'|-?\d+(?:\.\d+)?)`,
].join('|'), 'y');

type Token = { kind: 'path' | 'str' | 'punct' | 'op' | 'word'; text: string };

function tokens(pattern: string): Token[] | null {
  const out: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < pattern.length) {
    const m = TOKEN.exec(pattern);
    if (!m?.groups) return null;
    const g = m.groups;
    if (g.ws !== undefined) continue;
    const kind = (['path', 'str', 'punct', 'op', 'word'] as const).find((k) => g[k] !== undefined)!;
    out.push({ kind, text: g[kind]! });
  }
  return out;
}

const unquote = (s: string): string => s.slice(1, -1).replace(/\\(.)/g, '$1');
const canonicalPath = (p: string): string => p.replace(/'/g, '').toLowerCase();

/**
 * A comparison expression reduced: the values to match on and whether they identify the object
 * only weakly; `constraint`, something that holds or not for values no one listed; `none`,
 * something that never holds for one object.
 */
type Reduced = { terms: PatternTerm[]; weak: boolean } | 'constraint' | 'none';

class Unreadable extends Error {}

class Parser {
  private i = 0;
  constructor(private readonly ts: Token[], private readonly kind: (path: string) => PathKind) {}

  private peek(): Token | undefined { return this.ts[this.i]; }
  private word(w: string): boolean {
    const t = this.peek();
    return t?.kind === 'word' && t.text.toUpperCase() === w;
  }
  private expect(text: string): void {
    if (this.ts[this.i]?.text !== text) throw new Unreadable();
    this.i++;
  }

  /** Observations joined by OR: the whole pattern, or (nested) up to its closing parenthesis. */
  pattern(nested = false): PatternTerm[] | null {
    const out: PatternTerm[] = [];
    for (;;) {
      const o = this.observation();
      if (o === null) return null;
      out.push(...o);
      if (this.word('OR')) { this.i++; continue; }
      // AND, FOLLOWEDBY, a qualifier, or anything else: more than one observation at once.
      return (nested ? this.peek()?.text === ')' : this.i === this.ts.length) ? out : null;
    }
  }

  private observation(): PatternTerm[] | null {
    if (this.peek()?.text === '(') {
      this.i++;
      const inner = this.pattern(true);
      this.expect(')');
      return inner;
    }
    this.expect('[');
    const r = this.orExpr();
    this.expect(']');
    return typeof r === 'object' ? r.terms : null;
  }

  private orExpr(): Reduced {
    const parts = [this.andExpr()];
    while (this.word('OR')) { this.i++; parts.push(this.andExpr()); }
    if (parts.length === 1) return parts[0]!;
    // A branch that can never hold adds nothing; one that is not a list of values could hold
    // for values no one listed, and then so could the whole.
    const live = parts.filter((p) => p !== 'none');
    if (live.length === 0) return 'none';
    if (live.includes('constraint')) return 'constraint';
    const ps = live as Array<Exclude<Reduced, string>>;
    return { terms: ps.flatMap((p) => p.terms), weak: ps.some((p) => p.weak) };
  }

  private andExpr(): Reduced {
    const parts = [this.comparison()];
    while (this.word('AND')) { this.i++; parts.push(this.comparison()); }
    if (parts.length === 1) return parts[0]!;
    if (parts.includes('none')) return 'none';
    const values = parts.filter((p): p is Exclude<Reduced, string> => typeof p === 'object');
    const strong = values.filter((p) => !p.weak);
    const chosen = strong.length > 0 ? strong : values.length === parts.length ? values : [];
    if (chosen.length === 0) return values.length > 0 ? 'none' : 'constraint';
    // One property, two values at once: not one object.
    const seen = new Map<string, string>();
    for (const t of chosen.flatMap((p) => p.terms)) {
      const p = canonicalPath(t.path);
      if (seen.has(p) && seen.get(p) !== t.value) return 'none';
      seen.set(p, t.value);
    }
    return { terms: chosen.flatMap((p) => p.terms), weak: strong.length === 0 };
  }

  private comparison(): Reduced {
    if (this.peek()?.text === '(') {
      this.i++;
      const r = this.orExpr();
      this.expect(')');
      return r;
    }
    const path = this.ts[this.i++];
    if (path?.kind !== 'path') throw new Unreadable();
    const negated = this.word('NOT');
    if (negated) this.i++;
    const op = this.ts[this.i++];
    if (op === undefined) throw new Unreadable();
    const values: string[] = [];
    if (op.kind === 'word' && op.text.toUpperCase() === 'IN') {
      this.expect('(');
      while (this.peek()?.kind === 'str') {
        values.push(unquote(this.ts[this.i++]!.text));
        if (this.peek()?.text === ',') this.i++;
      }
      this.expect(')');
    } else {
      const v = this.ts[this.i++];
      if (v === undefined || (v.kind !== 'str' && v.kind !== 'word')) throw new Unreadable();
      if (v.kind === 'str') values.push(unquote(v.text));
    }
    const kind = this.kind(path.text);
    const opName = op.text.toUpperCase();
    const listable = !negated && values.length > 0 && (opName === '=' || opName === 'IN' || (opName === 'ISSUBSET' && kind === 'id'));
    if (kind === 'other' || !listable) return 'constraint';
    return { terms: values.map((value) => ({ path: path.text, value })), weak: kind === 'weak' };
  }
}

/** The (path, value) pairs any one of which makes the pattern hold; null when it does not reduce. */
export function patternTerms(pattern: string, kind: (path: string) => PathKind): PatternTerm[] | null {
  const ts = tokens(pattern);
  if (ts === null || ts.length === 0) return null;
  try {
    const out = new Parser(ts, kind).pattern();
    return out !== null && out.length > 0 ? out : null;
  } catch (err) {
    if (err instanceof Unreadable) return null;
    throw err;
  }
}
