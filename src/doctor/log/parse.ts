// Reads connector.log back: the logrus text lines log.ts writes (and Cisco's SSEConnector
// wrote), `time="…" level=… msg="[host][file:line fn] text"`, with the Go quoting undone.
// A line that does not start with time= continues the one before when that one is cut short —
// the note's quoted lines are wrapped that way — and otherwise stands alone as a fragment.

export interface LogEntry {
  /** Epoch ms, or null for a fragment with no time. */
  time: number | null;
  /** The time as written, for evidence: engineers grep for it. */
  timeText: string;
  level: string;
  /** `events:connectWebSocket`, `(*Service). Start`; empty when the message has no site. */
  fn: string;
  text: string;
}

const LINE = /^time="([^"]*)" level=(\w+) msg="((?:[^"\\]|\\.)*)"/;
const SITE = /^\[[^\]]*\]\[[^\] ]+ ([^\]]+)\] ?([\s\S]*)$/;
const ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '"': '"', '\\': '\\' };

/** Go's strconv.Unquote for the body of a %q string. */
export function goUnquote(s: string): string {
  return s.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)/g, (all, e: string) => {
    if (e.length > 1) return String.fromCodePoint(parseInt(e.slice(1), 16));
    return ESCAPES[e] ?? all;
  });
}

function entry(raw: string): LogEntry {
  const m = LINE.exec(raw);
  const msg = m ? goUnquote(m[3] as string) : raw.trim();
  const site = SITE.exec(msg);
  const time = m ? Date.parse(m[1] as string) : NaN;
  return {
    time: Number.isNaN(time) ? null : time,
    timeText: m?.[1] ?? '',
    level: m?.[2] ?? '',
    fn: site?.[1] ?? '',
    text: site ? (site[2] as string) : msg,
  };
}

export function parseLog(text: string): LogEntry[] {
  const out: LogEntry[] = [];
  let pending: string | null = null;
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    if (pending !== null && !line.startsWith('time=') && !LINE.test(pending)) {
      pending += ` ${line.trim()}`;
      continue;
    }
    if (pending !== null) out.push(entry(pending));
    pending = line;
  }
  if (pending !== null) out.push(entry(pending));
  return out;
}
