// CRC-32 (IEEE, the zlib/PNG polynomial) of a record payload. Node ≥ 20.15 ships a native
// zlib.crc32; older Node 20 releases get the table-driven fallback, which yields the same values,
// so segment files stay readable whichever Node wrote them.
import * as zlib from 'node:zlib';

type Crc32 = (data: Uint8Array) => number;

function tableCrc32(): Crc32 {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return (data) => {
    let c = 0xffffffff;
    for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
}

// Looked up at run time: the typings know crc32, but the running Node may predate it.
const native = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;

export const crc32: Crc32 = typeof native === 'function' ? (data) => native(data) : tableCrc32();

/** Exposed for the test that checks the fallback agrees with zlib. */
export const crc32Fallback: Crc32 = tableCrc32();
