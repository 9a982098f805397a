// STIX 2.1 patterns reduced to "any of these observables". Only patterns whose every join is
// OR and every comparison is `=` or `IN (…)` reduce that way; anything else (AND, FOLLOWEDBY,
// qualifiers, LIKE, MATCHES, !=) needs more than one value to hold at once, and a feed match
// on one value alone would be a false alarm, so such a pattern gives nothing.

export interface PatternTerm { path: string; value: string }

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

/** The (path, value) pairs of a pattern that is an OR of equalities; null when it is not one. */
export function orTerms(pattern: string): PatternTerm[] | null {
  const ts = tokens(pattern);
  if (ts === null) return null;
  const out: PatternTerm[] = [];
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i]!;
    if (t.kind === 'punct') continue; // brackets and parentheses group ORs: nothing to keep
    if (t.kind === 'word' && t.text.toUpperCase() === 'OR') continue;
    if (t.kind !== 'path') return null;
    const op = ts[i + 1];
    if (op?.kind === 'op' && op.text === '=' && ts[i + 2]?.kind === 'str') {
      out.push({ path: t.text, value: unquote(ts[i + 2]!.text) });
      i += 2;
      continue;
    }
    if (op?.kind === 'word' && op.text.toUpperCase() === 'IN' && ts[i + 2]?.text === '(') {
      let j = i + 3;
      for (; ts[j]?.kind === 'str'; j += ts[j + 1]?.text === ',' ? 2 : 1) out.push({ path: t.text, value: unquote(ts[j]!.text) });
      if (ts[j]?.text !== ')') return null;
      i = j;
      continue;
    }
    return null;
  }
  return out.length > 0 ? out : null;
}
