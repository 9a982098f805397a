// What the CTIA store derives from a document, independent of the database: its key, the
// observables it is found by, derived ids and page bounds. These are private to
// sqlite/ctia.ts, so they are repeated here and must stay in step with it.
import { createHash } from 'node:crypto';
import type { CtimObservable } from '../../../ctim/index.js';
import { shortId } from '../../../ctim/index.js';
import { isObservableType, normalizeObservable } from '../../../observables/index.js';
import { DEFAULT_LIMIT, MAX_LIMIT, OBSERVABLE_INDEXED, type CtiaPageRequest } from '../ctia-types.js';

export type Doc = Record<string, unknown> & { id: string; type: string };

export const MEMBER_OF = 'member-of';

/** The short id the store keys on; throws when the id is not one of `type`. */
export function keyOf(type: string, doc: Doc): string {
  const key = shortId(String(doc.id ?? ''));
  if (!key.startsWith(`${type}-`) || key.length === type.length + 1) throw new Error(`ctia: a ${type} needs an id "${type}-…" or ".../ctia/${type}/${type}-…", not "${String(doc.id)}"`);
  return key;
}

/** The observables an entity is found by, or none for types not indexed. */
export function observablesOf(type: string, doc: Doc): CtimObservable[] {
  if (!(OBSERVABLE_INDEXED as readonly string[]).includes(type)) return [];
  const raw = type === 'judgement' ? [doc.observable] : Array.isArray(doc.observables) ? doc.observables : [];
  return raw.filter((o): o is CtimObservable => typeof (o as CtimObservable)?.type === 'string' && typeof (o as CtimObservable)?.value === 'string');
}

/** The spelling the side table keys on, so `EVIL.example.com` finds `evil.example.com`. */
export function obsValue(o: CtimObservable): string {
  const v = isObservableType(o.type) ? normalizeObservable(o.type, o.value) : null;
  return v ?? o.value.trim();
}

export function uuidOf(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** An id of another type on the same server as `id` (full when `id` is, short when it is short). */
export function siblingId(id: string, type: string, uuid: string): string {
  const i = id.lastIndexOf('/ctia/');
  return i < 0 ? `${type}-${uuid}` : `${id.slice(0, i)}/ctia/${type}/${type}-${uuid}`;
}

export function page(p: CtiaPageRequest | undefined): { limit: number; offset: number } {
  const limit = Math.min(Math.max(Math.trunc(p?.limit ?? DEFAULT_LIMIT), 0), MAX_LIMIT);
  return { limit, offset: Math.max(Math.trunc(p?.offset ?? 0), 0) };
}
