// A client's WebSocket text frame (RFC 6455 §5.2), masked in the buffer it was built in. ws
// masks a caller's Buffer only into a fresh copy, so every half-megabyte batch cost another
// half-megabyte that waited for the GC: ~35 MB of dead buffers, a fifth of the connector's RSS
// under load. Building and masking in place lets one buffer serve every batch.
import { randomFillSync } from 'node:crypto';
import { createRequire } from 'node:module';

// ws's own native mask (a dependency of ws's fast path, and of ours).
const bufferutil = createRequire(import.meta.url)('bufferutil') as {
  mask(source: Buffer, mask: Buffer, output: Buffer, offset: number, length: number): void;
};

/** Bytes before the payload: 2, the extended length (2 or 8), and the 4-byte masking key. */
export function maskedHeaderBytes(payloadBytes: number): number {
  return payloadBytes < 126 ? 6 : payloadBytes < 65536 ? 8 : 14;
}

/**
 * `buf` holds the payload at [maskedHeaderBytes(len), +len); writes the header of a final text
 * frame before it, with a fresh random masking key (the RFC wants it unpredictable, so it is
 * never reused or derived), masks the payload in place, and returns the whole frame.
 */
export function maskTextFrameInPlace(buf: Buffer, len: number): Buffer {
  const h = maskedHeaderBytes(len);
  buf[0] = 0x81; // FIN, text
  if (len < 126) buf[1] = 0x80 | len;
  else if (len < 65536) {
    buf[1] = 0x80 | 126;
    buf.writeUInt16BE(len, 2);
  } else {
    buf[1] = 0x80 | 127;
    buf.writeUInt32BE(Math.floor(len / 2 ** 32), 2);
    buf.writeUInt32BE(len >>> 0, 6);
  }
  const key = buf.subarray(h - 4, h);
  randomFillSync(key);
  bufferutil.mask(buf.subarray(h, h + len), key, buf, h, len);
  return buf.subarray(0, h + len);
}
