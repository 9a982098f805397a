// log: the known faults in connector.log (the note's "important log file"), each with counts,
// first and last seen, its meaning and remedy. Also what `threatlink doctor --log FILE` runs.
import { existsSync, readFileSync } from 'node:fs';
import type { EndpointRole } from '../../protocol/endpoints.js';
import { STATUS_RANK, worst, type Check, type CheckResult, type DoctorContext } from '../check.js';
import { analyseLog, type Hit } from '../log/analyse.js';

const id = 'log';
const title = 'connector.log shows no recent known fault';

export interface LogHints {
  endpoints: Partial<Record<EndpointRole, URL>>;
  connectorPort?: number;
  configPath?: string;
}

const when = (e: Hit['first']): string => e.timeText || '(no time)';

function whereOf(h: Hit, hints: LogHints) {
  const url = h.role ? hints.endpoints[h.role] : undefined;
  return { role: h.role, host: url?.hostname.replace(/^\[|\]$/g, '') ?? null, port: url ? Number(url.port || 443) : null, connectorPort: hints.connectorPort, configPath: hints.configPath };
}

/** The log check's result for `files` read in order (oldest first), e.g. connector.log.1 then connector.log. */
export function logResult(files: string[], reference: 'now' | 'end', hints: LogHints): CheckResult {
  const present = files.filter((f) => existsSync(f));
  const main = files[files.length - 1] as string;
  if (!present.includes(main)) return { id, title, status: 'skip', evidence: [`${main}: no such file (the connector has not run with this log_file)`] };
  const a = analyseLog(present.map((f) => readFileSync(f, 'utf8')).join('\n'), reference);
  const evidence = [
    `${present.join(' + ')}: ${a.entries} lines; last start ${a.lastStart ? when(a.lastStart) : 'not in the log'}`,
    a.recentFrom === null
      ? 'no line has a time: every line counts as recent'
      : `lines since ${new Date(a.recentFrom).toISOString()} decide the status (${a.recentBy === 'start' ? 'the last start' : `15 min before ${reference === 'end' ? 'the log ends' : 'now'}`}); older ones are history`,
  ];
  // Worst first, then the most recent: the line an operator acts on comes first.
  const hits = [...a.hits].sort((x, y) => STATUS_RANK[y.status] - STATUS_RANK[x.status] || (y.last.time ?? Infinity) - (x.last.time ?? Infinity));
  for (const h of hits) {
    const w = whereOf(h, hints);
    evidence.push(
      `${h.status} ${h.signature.id} ×${h.count} (${h.recent} recent), first ${when(h.first)}, last ${when(h.last)}${h.fn ? ` [${h.fn}]` : ''}` +
      `${h.subjects.length ? ` ${h.subjects.join(', ')}` : ''}: ${h.signature.meaning(w)}` +
      `${h.recoveredAt ? `; recovered ${when(h.recoveredAt)}: ${h.recoveredAt.text}` : ''}`,
    );
  }
  const status = worst(hits.map((h) => h.status));
  const top = hits[0];
  if (!top || status === 'ok') return { id, title, status: 'ok', evidence };
  const w = whereOf(top, hints);
  const seen = `${top.signature.id} ×${top.recent} recently, last ${when(top.last)}`;
  if (top.recoveredAt) {
    return {
      id, title, status, evidence,
      cause: `recovered at ${when(top.recoveredAt)} from: ${top.signature.meaning(w)} (${seen})`,
      remedy: `nothing to do now; if it comes back: ${top.signature.remedy(w, top.subjects)}`,
    };
  }
  return { id, title, status, evidence, cause: `${top.signature.meaning(w)} (${seen})`, remedy: top.signature.remedy(w, top.subjects) };
}

export const logCheck: Check = {
  id,
  title,
  async run(ctx: DoctorContext): Promise<CheckResult[]> {
    const file = ctx.config?.logFile;
    if (!file) return [{ id, title, status: 'skip', evidence: ['log_file is unknown: connector.properties could not be read (see properties)'] }];
    return [logResult([`${file}.1`, file], 'now', { endpoints: ctx.endpoints, connectorPort: ctx.config?.connectorPort, configPath: ctx.configPath })];
  },
};
