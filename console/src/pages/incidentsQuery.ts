// The Incidents page's data: CTIA incident and sighting shapes, the statuses and their next
// steps, and the mapping between the page address, the filters and /ctia/incident/search.
import type { SessionUser } from '../api';
import { BASE } from '../nav';

export interface Note { text: string; author: string; time: string }
export interface Observable { type: string; value: string }

export interface Incident {
  id: string;
  title?: string;
  description?: string;
  short_description?: string;
  status: string;
  severity?: string;
  confidence: string;
  incident_time: { opened: string; discovered?: string; reported?: string; remediated?: string; closed?: string; rejected?: string };
  assignees?: string[];
  tactics?: string[];
  techniques?: string[];
  categories?: string[];
  notes?: Note[];
  owner?: string;
  source?: string;
  modified?: string;
}

export interface Sighting {
  id: string;
  title?: string;
  description?: string;
  count: number;
  severity?: string;
  source?: string;
  source_uri?: string;
  observed_time: { start_time: string; end_time?: string };
  observables?: Observable[];
}

/** CTIM's statuses (as the server's INCIDENT_STATUSES), in workflow order. */
export const STATUSES = [
  'New', 'New: Processing', 'New: Presented',
  'Open', 'Open: Investigating', 'Open: Reported', 'Open: Contained', 'Open: Recovered',
  'Stalled', 'Containment Achieved', 'Restoration Achieved', 'Incident Reported',
  'Hold', 'Hold: Internal', 'Hold: External', 'Hold: Legal',
  'Closed', 'Closed: Under Review', 'Closed: Confirmed Threat', 'Closed: Suspected', 'Closed: False Positive',
  'Closed: Near-Miss', 'Closed: Merged', 'Closed: Other', 'Rejected',
] as const;

export const SEVERITIES = ['High', 'Medium', 'Low', 'Info', 'Unknown', 'None'] as const;

/** The stages of the workflow the summary counts, as nextSteps moves between them. */
export const STAGES = ['New', 'Open', 'Closed'] as const;
export type Stage = typeof STAGES[number];

/** Each stage holds all of its statuses, not only the bare word: an incident closed as
 * "Closed: False Positive" is closed, one "Open: Investigating" or on "Hold" is open (in
 * progress). A status is compared whole, so "Closed*" is how the search says "Closed…". */
const STAGE_QUERY: Record<Stage, string> = {
  New: 'status:New*',
  Open: 'NOT status:New* AND NOT status:Closed* AND NOT status:Rejected',
  Closed: 'status:Closed* OR status:Rejected',
};

const stageOf = (v: string | null): Stage | '' => (STAGES as readonly string[]).includes(v ?? '') ? v as Stage : '';

/** The buttons offered for the next step from a status: New → Open → Closed, and back. */
export function nextSteps(status: string): Array<{ label: string; status: string }> {
  if (status.startsWith('New')) return [{ label: 'Open', status: 'Open' }, { label: 'Reject', status: 'Rejected' }];
  if (status.startsWith('Closed') || status === 'Rejected') return [{ label: 'Reopen', status: 'Open' }];
  return [{ label: 'Close', status: 'Closed' }];
}

export const canChange = (user: SessionUser) => user.role !== 'read-only';

export interface Filters {
  status: string;
  stage: Stage | '';
  severity: string;
  assignee: string;
  q: string;
  offset: number;
}

export const NO_FILTERS: Filters = { status: '', stage: '', severity: '', assignee: '', q: '', offset: 0 };

export function filtersFrom(search: string): Filters {
  const p = new URLSearchParams(search);
  const offset = Number(p.get('offset') ?? 0);
  return {
    status: p.get('status') ?? '',
    stage: stageOf(p.get('stage')),
    severity: p.get('severity') ?? '',
    assignee: p.get('assignee') ?? '',
    q: p.get('q') ?? '',
    offset: Number.isInteger(offset) && offset > 0 ? offset : 0,
  };
}

/** The page address's query string for these filters (only what is set). */
export function filtersSearch(f: Filters): string {
  const p = new URLSearchParams();
  for (const k of ['status', 'stage', 'severity', 'assignee', 'q'] as const) if (f[k].trim()) p.set(k, f[k].trim());
  if (f.offset > 0) p.set('offset', String(f.offset));
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** The search's parameters for these filters, without paging: also what search/count takes. */
export function searchParams(f: Filters): URLSearchParams {
  const p = new URLSearchParams();
  const query = [f.q.trim(), f.stage ? STAGE_QUERY[f.stage] : ''].filter(Boolean);
  if (query.length === 1) p.set('query', query[0]!);
  else if (query.length > 1) p.set('query', query.map((q) => `(${q})`).join(' AND '));
  if (f.status) p.set('status', f.status);
  if (f.severity) p.set('severity', f.severity);
  if (f.assignee.trim()) p.set('assignees', f.assignee.trim());
  return p;
}

/** The incident's short id (incident-<uuid>), what its address and the API paths use. */
export const shortId = (id: string) => id.slice(id.lastIndexOf('/') + 1);

export const incidentPath = (id: string) => `/ctia/incident/${encodeURIComponent(shortId(id))}`;

/** The incident an address names: /console/incidents/{id}. */
export function openIdFrom(pathname: string): string | null {
  const prefix = `${BASE}incidents/`;
  const rest = pathname.startsWith(prefix) ? pathname.slice(prefix.length) : '';
  return rest ? decodeURIComponent(rest.split('/')[0] ?? '') : null;
}

/** A console address on this server for a link the server wrote with its own base URL (which
 * may name another host than the one the browser uses). */
export function consoleHref(uri: string | undefined): string | null {
  if (!uri) return null;
  try {
    const u = new URL(uri, location.origin);
    return u.pathname.startsWith(BASE) ? `${u.pathname}${u.search}` : null;
  } catch {
    return null;
  }
}

export const investigateHref = (observables: readonly Observable[]) =>
  `${BASE}investigate?q=${encodeURIComponent(observables.map((o) => o.value).join(' '))}`;

export const when = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString() : '—');

/** The name the server records for a console user (its principal's client_id): what notes
 * carry as author and what "assign to me" adds. */
export const meOf = (user: SessionUser) => `user:${user.username}`;
