// Runs one test body against each store backend (SQLite and PostgreSQL), so both answer alike.
import { test } from 'node:test';

/** Registers a cleanup; cleanups run in reverse, so pools close before their schema drops. */
export type After = (fn: () => Promise<void>) => void;

export interface Factory<B> {
  name: string;
  /** `{ skip }` when the backend's service is missing here (see helpers/pg.ts). */
  opts: { skip?: string };
  open(after: After): Promise<B>;
}

/** `both(name, fn)`: one test per backend, named `<backend>: <name>`. */
export function sideBySide<B>(factories: Factory<B>[]): (name: string, fn: (b: B) => Promise<void>) => void {
  return (name, fn) => {
    for (const f of factories) {
      test(`${f.name}: ${name}`, f.opts, async () => {
        const cleanups: (() => Promise<void>)[] = [];
        try {
          await fn(await f.open((c) => cleanups.push(c)));
        } finally {
          for (const c of cleanups.reverse()) await c();
        }
      });
    }
  };
}
