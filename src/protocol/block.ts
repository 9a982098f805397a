// The block / unblock control actions (docs/protocol.md): what the exchange may ask a device to
// block, and the one canonical form of each value. Both ends normalize with the same code, so
// the exchange's record and the device's list never disagree on spelling.
import { normalizeObservable } from '../observables/normalize.js';

export const BLOCK_ACTIONS = ['block', 'unblock'] as const;
export type BlockAction = (typeof BLOCK_ACTIONS)[number];

export const BLOCK_TYPES = ['ip', 'ipv6', 'domain', 'url', 'sha256'] as const;
export type BlockType = (typeof BLOCK_TYPES)[number];

/** `params` of a control frame whose action is block or unblock. */
export interface BlockParams {
  observable_type: BlockType;
  observable_value: string;
  /** The response action this delivery belongs to (also the frame id). */
  action_id: string;
}

export function isBlockAction(a: string): a is BlockAction {
  return (BLOCK_ACTIONS as readonly string[]).includes(a);
}

export function isBlockType(t: string): t is BlockType {
  return (BLOCK_TYPES as readonly string[]).includes(t);
}

/** The canonical value, or an error that names what is wrong. The values end up one per line
 * in files other programs parse, so anything normalizeObservable does not vouch for is refused. */
export function blockValue(type: unknown, value: unknown): { ok: true; type: BlockType; value: string } | { ok: false; reason: string } {
  if (typeof type !== 'string' || !isBlockType(type)) {
    return { ok: false, reason: `observable_type: ${JSON.stringify(type ?? null)} cannot be blocked; one of ${BLOCK_TYPES.join(', ')}` };
  }
  if (typeof value !== 'string' || value.length === 0 || value.length > 4096) {
    return { ok: false, reason: 'observable_value: needs a string of 1 to 4096 characters' };
  }
  const v = normalizeObservable(type, value);
  // eslint-disable-next-line no-control-regex
  if (v === null || /[\x00-\x20\x7f]/.test(v)) return { ok: false, reason: `observable_value: ${JSON.stringify(value)} is not a valid ${type}` };
  return { ok: true, type, value: v };
}
