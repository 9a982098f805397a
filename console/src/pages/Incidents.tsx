// Incidents: filters mapped to /ctia/incident/search, newest opened first with offset paging,
// counts per workflow stage, and one incident's detail. The address holds the filters
// (/console/incidents?status=New) and the open incident (/console/incidents/{id}), so other
// pages can link here.
import { useCallback, useEffect, useRef, useState } from 'react';
import { get, type SessionUser } from '../api';
import { BASE } from '../nav';
import { IncidentDetail } from './IncidentDetail';
import { IncidentFilters } from './IncidentFilters';
import {
  STAGES, filtersFrom, filtersSearch, meOf, openIdFrom, searchParams, shortId, when,
  type Filters, type Incident,
} from './incidentsQuery';
import './Incidents.css';

const PAGE = 25;

export function Incidents({ user }: { user: SessionUser }) {
  const [filters, setFilters] = useState<Filters>(() => filtersFrom(location.search));
  const [selected, setSelected] = useState<string | null>(() => openIdFrom(location.pathname));
  const [incidents, setIncidents] = useState<Incident[] | null>(null);
  const [total, setTotal] = useState<number | null>(null);
  const [stages, setStages] = useState<Record<string, number>>({});
  const [error, setError] = useState('');
  // Answers for filters no longer shown are dropped.
  const generation = useRef(0);

  useEffect(() => {
    const onPop = () => {
      if (!location.pathname.startsWith(`${BASE}incidents`)) return;
      setSelected(openIdFrom(location.pathname));
      setFilters(filtersFrom(location.search));
    };
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);

  const load = useCallback((f: Filters) => {
    const gen = ++generation.current;
    const fail = (err: Error) => { if (gen === generation.current) setError(err.message); };
    setError('');
    const p = searchParams(f);
    p.set('sort_by', 'incident_time.opened:desc');
    p.set('limit', String(PAGE));
    p.set('offset', String(f.offset));
    get<Incident[]>(`/ctia/incident/search?${p}`).then((r) => { if (gen === generation.current) setIncidents(r); }, fail);
    get<number>(`/ctia/incident/search/count?${searchParams(f)}`).then((n) => { if (gen === generation.current) setTotal(n); }, fail);
    // The counts follow the other filters, not the status or stage chosen.
    Promise.all(STAGES.map((s) => get<number>(`/ctia/incident/search/count?${searchParams({ ...f, status: '', stage: s })}`))).then(
      (ns) => { if (gen === generation.current) setStages(Object.fromEntries(STAGES.map((s, i) => [s, ns[i] ?? 0]))); },
      fail,
    );
  }, []);

  useEffect(() => {
    setIncidents(null);
    setTotal(null);
    load(filters);
  }, [filters, load]);

  const go = (f: Filters, id: string | null) => {
    history.pushState(null, '', `${BASE}incidents${id ? `/${encodeURIComponent(id)}` : ''}${filtersSearch(f)}`);
    setFilters(f);
    setSelected(id);
  };
  const open = (id: string) => go(filters, id);
  const close = () => {
    const id = selected;
    go(filters, null);
    // Back to the row the detail was opened from, when it is shown.
    requestAnimationFrame(() => document.querySelector<HTMLButtonElement>(`[data-incident-id="${CSS.escape(id ?? '')}"]`)?.focus());
  };
  // A change in the detail shows in its row at once; the counts follow from the server.
  const changed = (inc: Incident) => {
    setIncidents((cur) => cur?.map((x) => (x.id === inc.id ? inc : x)) ?? cur);
    load(filters);
  };

  const last = Math.min(filters.offset + PAGE, total ?? 0);
  return (
    <div className="incidents-page">
      <IncidentFilters filters={filters} me={meOf(user)} onApply={(f) => go(f, selected)} />

      <div className="stage-counts" role="group" aria-label="Incidents by status">
        {STAGES.map((s) => (
          <button key={s} type="button" className="secondary" aria-pressed={filters.stage === s}
            onClick={() => go({ ...filters, stage: filters.stage === s ? '' : s, status: '', offset: 0 }, selected)}>
            {s} <span className="stage-count">{stages[s] ?? '…'}</span>
          </button>
        ))}
      </div>

      {selected && <IncidentDetail id={selected} user={user} onClose={close} onChanged={changed} />}

      {error && <p role="alert" className="error">{error}</p>}
      <p role="status" className="total">
        {total === null ? '' : total === 0 ? 'No incidents match.' : `${filters.offset + 1}–${last} of ${total} ${total === 1 ? 'incident' : 'incidents'}`}
      </p>

      {incidents && incidents.length > 0 && (
        <div className="table-wrap">
          <table className="incidents-table">
            <caption className="visually-hidden">Incidents, newest first</caption>
            <thead>
              <tr><th scope="col">Title</th><th scope="col">Status</th><th scope="col">Severity</th><th scope="col">Opened</th><th scope="col">Assignees</th></tr>
            </thead>
            <tbody>
              {incidents.map((i) => (
                <tr key={i.id} className={selected === shortId(i.id) ? 'selected' : undefined}>
                  <td className="title">
                    <button type="button" className="link" data-incident-id={shortId(i.id)} onClick={() => open(shortId(i.id))}>{i.title ?? shortId(i.id)}</button>
                  </td>
                  <td><span className={`status status-${i.status.split(':')[0]?.toLowerCase()}`}>{i.status}</span></td>
                  <td>{i.severity ?? '—'}</td>
                  <td>{when(i.incident_time.opened)}</td>
                  <td>{i.assignees?.join(', ') || '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {incidents === null && !error && <p className="muted">Loading…</p>}

      {total !== null && total > PAGE && (
        <nav className="pager" aria-label="Pages of incidents">
          <button type="button" className="secondary" disabled={filters.offset === 0}
            onClick={() => go({ ...filters, offset: Math.max(0, filters.offset - PAGE) }, selected)}>Previous page</button>
          <button type="button" className="secondary" disabled={last >= total}
            onClick={() => go({ ...filters, offset: filters.offset + PAGE }, selected)}>Next page</button>
        </nav>
      )}
    </div>
  );
}
