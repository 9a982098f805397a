// Documents go into jsonb, which refuses the NUL character that JSON.stringify writes as
// \u0000 (and SQLite keeps). Untrusted event text can carry one, and a sighting must not fail
// to store for it, so NUL is kept as U+FFFD, the replacement character.

/** An escape \u0000 not itself escaped (an even run of backslashes before it). */
const NUL_ESCAPE = /(?<!\\)((?:\\\\)*)\\u0000/g;

/** JSON text jsonb accepts. */
export function jsonbText(value: unknown): string {
  return JSON.stringify(value).replace(NUL_ESCAPE, '$1\\ufffd');
}
