// Numeric command-line options checked as typed: the error quotes what the user wrote and says
// what is allowed, rather than passing on NaN for a later message to show as "NaN".

export function numberOption(flag: string, raw: string, o: { min?: number; max?: number; integer?: boolean } = {}): number {
  const n = raw.trim() === '' ? NaN : Number(raw);
  const kind = o.integer ? 'a whole number' : 'a number';
  const range = o.min !== undefined && o.max !== undefined ? ` from ${o.min} to ${o.max}`
    : o.min !== undefined ? ` of at least ${o.min}` : o.max !== undefined ? ` of at most ${o.max}` : '';
  if (!Number.isFinite(n) || (o.integer && !Number.isInteger(n)) || (o.min !== undefined && n < o.min) || (o.max !== undefined && n > o.max)) {
    throw new Error(`${flag}: "${raw}" is not ${kind}${range}`);
  }
  return n;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export function logLevelOption(flag: string, raw: string): string {
  if (!(LOG_LEVELS as readonly string[]).includes(raw)) throw new Error(`${flag}: "${raw}" is not a log level; one of ${LOG_LEVELS.join(', ')}`);
  return raw;
}
