// The CTIA search language (ctia-query.ts parses it) as a PostgreSQL condition on the jsonb
// column `doc`. SQLite evaluates the parsed query in JS per row; PostgreSQL cannot call back into
// the process, so each node becomes SQL with the same meaning, over ctia_leaves (the scalars
// under a path, as valuesAt + collect give them) and ctia_words (schema.ts):
//   term on a text field / no field   the leaf equals the value, or its words hold the value's
//   term elsewhere                    the leaf equals the value (case-insensitive)
//   wildcard                          an anchored case-insensitive regex (per word too on text)
//   range                             numeric when both ends are numbers, byte order otherwise
// Differences from the JS matcher, all at the edges: a leaf spelled like 0x1f or with more
// than three exponent digits compares as a string, and "word" characters are PostgreSQL's
// [:alnum:]_ under the database's locale rather than JS's \p{L}\p{N}_.
import { filtersNode, isAll, parseQuery, type QueryNode } from '../ctia-query.js';
import type { SqlParams } from './params.js';

// ctia-query.ts keeps these private; they must stay in step with it.
const TEXT_FIELDS = new Set(['title', 'description', 'short_description', 'reason', 'text']);

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

function unescape(raw: string): string {
  return raw.replace(/\\(.)/gs, '$1');
}

/** A character literal in a PostgreSQL regex: a backslash before anything not a letter or
 * digit makes it plain (before a letter it would start an escape). */
function reLiteral(c: string): string {
  return /[\p{L}\p{N}]/u.test(c) ? c : `\\${c}`;
}

/** The glob (* any run, ? one character, \x literal x) as an anchored PostgreSQL regex. */
function globRegex(raw: string): string {
  let re = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '\\' && i + 1 < raw.length) re += reLiteral(raw[++i]!);
    else if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else re += reLiteral(c);
  }
  return `^${re}$`;
}

/** The jsonpath of every scalar under `field` (the whole document when null). */
function leavesPath(field: string | null): string {
  const steps = field === null ? '' : field.split('.').map((s) => `."${s}"`).join('');
  return `lax $${steps}.**`;
}

/** A leaf text JS's Number() reads as a finite number (the common spellings). */
const NUMERIC = '^\\s*[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]{1,3})?\\s*$';

function isNumber(s: string): boolean {
  return s.trim() !== '' && Number.isFinite(Number(s));
}

function compare(op: string, bound: string, p: SqlParams): string {
  const text = `l COLLATE "C" ${op} ${p.add(bound)}`;
  if (!isNumber(bound)) return text;
  return `CASE WHEN l ~ ${p.add(NUMERIC)} THEN trim(l)::numeric ${op} ${p.add(Number(bound))}::numeric ELSE ${text} END`;
}

function termTest(n: Extract<QueryNode, { k: 'term' }>, p: SqlParams): string {
  const text = !n.exact && (n.field === null || TEXT_FIELDS.has(n.field.split('.').pop()!));
  if (!n.quoted && hasWildcard(n.value)) {
    const re = p.add(globRegex(n.value));
    return text
      ? `(l ~* ${re} OR EXISTS (SELECT 1 FROM regexp_split_to_table(lower(l), '[^[:alnum:]_]+') AS w WHERE w ~* ${re}))`
      : `l ~* ${re}`;
  }
  const v = (n.quoted ? n.value : unescape(n.value)).toLowerCase();
  const want = words(v);
  const equal = `lower(l) = ${p.add(v)}`;
  if (!text || want.length === 0) return equal;
  return `(${equal} OR strpos(ctia_words(l), ${p.add(` ${want.join(' ')} `)}) > 0)`;
}

/** Some leaf under the path passes `test` (written over the leaf `l`). */
function anyLeaf(path: string, test: string): string {
  return `EXISTS (SELECT 1 FROM ctia_leaves(doc, ${path}::jsonpath) AS l WHERE ${test})`;
}

function nodeSql(n: QueryNode, p: SqlParams): string {
  switch (n.k) {
    case 'all': return 'TRUE';
    case 'and': return `(${n.items.map((x) => nodeSql(x, p)).join(' AND ')})`;
    case 'or': return `(${n.items.map((x) => nodeSql(x, p)).join(' OR ')})`;
    case 'not': return `(NOT ${nodeSql(n.item, p)})`;
    case 'exists': return anyLeaf(p.add(leavesPath(n.field)), `l <> ''`);
    case 'range': {
      const path = p.add(leavesPath(n.field));
      const conds: string[] = [];
      if (n.lo !== null) conds.push(compare(n.loInc ? '>=' : '>', n.lo, p));
      if (n.hi !== null) conds.push(compare(n.hiInc ? '<=' : '<', n.hi, p));
      return anyLeaf(path, conds.length ? conds.join(' AND ') : 'TRUE');
    }
    case 'term': {
      const path = p.add(leavesPath(n.field));
      return anyLeaf(path, termTest(n, p));
    }
  }
}

/**
 * The condition for `query` and `filters` with its values added to `p`, or null when they
 * match everything. Throws QuerySyntaxError as ctia-query.ts does.
 */
export function ctiaWhere(query: string | undefined, filters: Record<string, string> | undefined, p: SqlParams): string | null {
  const node: QueryNode = { k: 'and', items: [parseQuery(query), filtersNode(filters)] };
  return isAll(node) ? null : nodeSql(node, p);
}
