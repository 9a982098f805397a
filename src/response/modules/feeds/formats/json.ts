// JSON feed files (STIX bundles, MISP manifests and events). The parser's own message quotes
// the text it choked on; the feed's health should first say what was not JSON, since the usual
// cause is an HTML error or login page served with status 200.
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new Error(`${what} is not JSON (${(err as Error).message})`);
  }
}
