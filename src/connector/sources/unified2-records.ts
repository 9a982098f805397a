// Unified2 record framing: the record types and the split of a spool file's bytes into records
// (header {u32 type, u32 length}, big-endian; see unified2-layouts.ts for the bodies).
export const U2_TYPE = {
  PACKET: 2,
  IDS_EVENT: 7,
  IDS_EVENT_IPV6: 72,
  IDS_EVENT_VLAN: 104,
  IDS_EVENT_IPV6_VLAN: 105,
  EXTRA_DATA: 110,
  IDS_EVENT_APPID: 111,
  IDS_EVENT_APPID_IPV6: 112,
  EVENT3: 114,
} as const;

/** Record types decodeEvent turns into an event (the others are packets, extra data or skipped). */
export const U2_EVENT_TYPES: ReadonlySet<number> = new Set([7, 72, 104, 105, 111, 112, 114]);

/** Largest record accepted: a packet record is at most 28 + 65535 bytes; anything huge is corruption. */
export const MAX_RECORD_LENGTH = 16 * 1024 * 1024;

export class Unified2FormatError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'Unified2FormatError';
  }
}

export interface Unified2Record {
  type: number;
  /** Offset of the record header: `base` + its position in the buffer. */
  offset: number;
  /** Body length (without the 8-byte header). */
  length: number;
  body: Buffer;
}

/**
 * Splits `buf` from `offset` into records. Stops before an incomplete record (a spool file that
 * Snort is still writing): `end` is the position just past the last complete record, where the
 * next call should start once more bytes are there. `base` is added to each record's offset (the
 * file position of buf[0]). Throws Unified2FormatError on a length over MAX_RECORD_LENGTH.
 */
export function decodeRecords(
  buf: Buffer,
  offset: number,
  base = 0,
): { records: Unified2Record[]; end: number } {
  const records: Unified2Record[] = [];
  let pos = offset;
  while (pos + 8 <= buf.length) {
    const type = buf.readUInt32BE(pos);
    const length = buf.readUInt32BE(pos + 4);
    if (length > MAX_RECORD_LENGTH) {
      throw new Unified2FormatError(`record of type ${type} claims ${length} bytes (corrupt file?)`, base + pos);
    }
    if (pos + 8 + length > buf.length) break;
    records.push({ type, offset: base + pos, length, body: buf.subarray(pos + 8, pos + 8 + length) });
    pos += 8 + length;
  }
  return { records, end: pos };
}
