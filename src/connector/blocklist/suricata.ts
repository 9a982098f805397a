// The blocklist in the formats Suricata 7 loads:
//   iprep/categories.txt   `<id>,<short name>,<description>`  (reputation-categories-file)
//   iprep/threatlink.list  `<ip>,<category id>,<score>`, IPv4 and IPv6   (reputation-files)
//   domain.lst, url.lst    dataset `type string`: each value base64-encoded, one per line
//   sha256.lst             dataset `type sha256`: hex, one per line (also what filesha256 reads)
// docs/protocol.md §4 has rules that use them.

/** The iprep category every blocked address is put in. Ids go up to 60; one is enough. */
export const IPREP_CATEGORY = { id: 1, name: 'threatlink-block', description: 'Blocked by threatlink response actions' } as const;
/** Highest iprep score (1–127): the exchange's analyst decided, there is no doubt to express. */
export const IPREP_SCORE = 127;

export function iprepCategories(): string {
  return `${IPREP_CATEGORY.id},${IPREP_CATEGORY.name},${IPREP_CATEGORY.description}\n`;
}

export function iprepList(addresses: readonly string[]): string {
  return lines(addresses.map((a) => `${a},${IPREP_CATEGORY.id},${IPREP_SCORE}`));
}

/** A `type string` dataset: base64 keeps any byte of the value off Suricata's line parser. */
export function stringDataset(values: readonly string[]): string {
  return lines(values.map((v) => Buffer.from(v, 'utf8').toString('base64')));
}

export function sha256Dataset(hashes: readonly string[]): string {
  return lines(hashes.map((h) => h.toLowerCase()));
}

function lines(l: readonly string[]): string {
  return l.length === 0 ? '' : `${l.join('\n')}\n`;
}
