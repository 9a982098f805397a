// CTIM ids: stored entities are URLs on the server that keeps them; computed ones are
// `transient:` ids, stable for the same input so a graph can join on them.
import { createHash, randomUUID } from 'node:crypto';

export const SCHEMA_VERSION = '1.3.9';
/** A missing end of validity means this (interfaces.md §5). */
export const END_OF_TIME = '2525-01-01T00:00:00.000Z';

export function storedId(base: string, type: string, uuid: string = randomUUID()): string {
  return `${base.replace(/\/+$/, '')}/ctia/${type}/${type}-${uuid}`;
}

export function transientId(type: string, ...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);
  return `transient:${type}-${h}`;
}

/** The short id (`incident-<uuid>`) of a stored id, or the id itself when it has no path. */
export function shortId(id: string): string {
  const i = id.lastIndexOf('/');
  return i < 0 ? id : id.slice(i + 1);
}
