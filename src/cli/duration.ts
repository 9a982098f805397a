const UNIT: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** "36h", "90m", "7d", "3600" → seconds; throws naming the value otherwise. */
export function parseDuration(s: string, what = 'duration'): number {
  const m = /^(\d+)([smhdw]?)$/.exec(s.trim());
  if (!m) throw new Error(`${what}: "${s}" is not a duration like 3600, 90m, 36h or 7d`);
  return Number(m[1]) * (UNIT[m[2] || 's'] as number);
}
