// What is blocked, by type. The plain lists (`ip.txt`, … one value per line) are the state: the
// connector reads them at start, so a restart, or an admin's hand edit, carries over.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BLOCK_TYPES, blockValue, type BlockAction, type BlockType } from '../../protocol/block.js';

export type BlocklistState = Record<BlockType, ReadonlySet<string>>;

export function emptyState(): BlocklistState {
  return Object.fromEntries(BLOCK_TYPES.map((t) => [t, new Set<string>()])) as unknown as BlocklistState;
}

export function plainListFile(type: BlockType): string {
  return `${type}.txt`;
}

/** Reads the plain lists; a missing file is an empty list. Lines that are not a valid value of
 * their type are skipped and reported (they would only confuse the Suricata files). */
export function loadState(dir: string): { state: BlocklistState; skipped: string[] } {
  const state = emptyState();
  const skipped: string[] = [];
  for (const type of BLOCK_TYPES) {
    let text: string;
    try {
      text = readFileSync(join(dir, plainListFile(type)), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw e;
    }
    const set = state[type] as Set<string>;
    for (const raw of text.split('\n')) {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) continue;
      const v = blockValue(type, line);
      if (v.ok) set.add(v.value);
      else skipped.push(`${plainListFile(type)}: ${v.reason}`);
    }
  }
  return { state, skipped };
}

/** The state after the action, and whether it changed; the input is left as it was. */
export function applyAction(state: BlocklistState, action: BlockAction, type: BlockType, value: string): { next: BlocklistState; changed: boolean } {
  const has = state[type].has(value);
  if (action === 'block' ? has : !has) return { next: state, changed: false };
  const set = new Set(state[type]);
  if (action === 'block') set.add(value);
  else set.delete(value);
  return { next: { ...state, [type]: set }, changed: true };
}

/** Sorted, so the same state always gives the same bytes. */
export function sorted(values: ReadonlySet<string>): string[] {
  return [...values].sort();
}

export function counts(state: BlocklistState): Record<BlockType, number> {
  return Object.fromEntries(BLOCK_TYPES.map((t) => [t, state[t].size])) as Record<BlockType, number>;
}
