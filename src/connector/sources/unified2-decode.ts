// Decoder for Snort unified2 spool files, and the mapping of a unified2 event to a NormalizedEvent.
// The parts live beside this module: record framing (unified2-records.ts), the record layouts and
// the sources they were checked against (unified2-layouts.ts), address fields (unified2-addr.ts)
// and the mapping (unified2-map.ts). This module re-exports their public names.
export {
  MAX_RECORD_LENGTH,
  U2_EVENT_TYPES,
  U2_TYPE,
  Unified2FormatError,
  decodeRecords,
  type Unified2Record,
} from './unified2-records.js';
export {
  EXTRA_DATA_TYPES,
  decodeEvent,
  type U2Decoded,
  type U2Event,
  type U2Event3,
  type U2ExtraData,
  type U2IdsEvent,
  type U2Packet,
} from './unified2-layouts.js';
export { ipv6ToString } from './unified2-addr.js';
export { mapAction3, mapBlocked, mapUnified2, protocolName, u2Time } from './unified2-map.js';
