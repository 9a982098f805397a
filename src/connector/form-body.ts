// `curl -d '{"token":"…"}'`, the enrollment command the README shows, sends JSON text labelled
// application/x-www-form-urlencoded. So a form body that is a JSON object is read as JSON, and
// anything else as the form it says it is (`curl -d token=…`).

export function parseFormBody(text: string): Record<string, unknown> {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    let v: unknown;
    try {
      v = JSON.parse(trimmed);
    } catch (e) {
      throw Object.assign(new Error(`the body starts with "{" but is not JSON: ${(e as Error).message}`), { statusCode: 400 });
    }
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw Object.assign(new Error('the body is JSON but not an object'), { statusCode: 400 });
    return v as Record<string, unknown>;
  }
  return Object.fromEntries(new URLSearchParams(trimmed));
}
