// The bytes of a feed file as text. Publishers serve some feeds gzip-compressed as files
// (`.csv.gz`, `.txt.gz`: no Content-Encoding for fetch to undo), and editors on Windows save a
// UTF-8 byte order mark, which JSON.parse refuses. A zip archive (abuse.ch's full dumps) is
// not unpacked: it is named, rather than read as garbage.
import { gunzipSync } from 'node:zlib';

const BOM = '\uFEFF';

/** `where`: the file or URL, for the error; `maxBytes`: the cap once decompressed too. */
export function decodeFeed(bytes: Buffer, where: string, maxBytes: number): string {
  let b = bytes;
  if (b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b) {
    try {
      b = gunzipSync(b, { maxOutputLength: maxBytes });
    } catch (err) {
      const code = (err as { code?: string }).code;
      throw new Error(code === 'ERR_BUFFER_TOO_LARGE'
        ? `${where}: more than the ${maxBytes} bytes a feed may have once decompressed`
        : `${where}: gzip data that cannot be decompressed (${(err as Error).message})`);
    }
  } else if (b.length >= 4 && b.readUInt32BE(0) === 0x504b0304) {
    throw new Error(`${where} is a zip archive: feeds are read as plain or gzip-compressed text (use the publisher's uncompressed or .gz download)`);
  }
  const text = b.toString('utf8');
  return text.startsWith(BOM) ? text.slice(1) : text;
}
