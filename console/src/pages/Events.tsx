// Event search: filters mapped to /api/v1/events query parameters, newest first with keyset
// paging, the unique view (a row opens its detail), a histogram over time, one event's detail,
// and new events live.
// The address holds the filters (/console/events?observable=…) and the open event
// (/console/events/{id}), so links from elsewhere (sightings, refer links) land here.
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { get, type SessionUser } from '../api';
import { BASE } from '../nav';
import { EventDetail } from './EventDetail';
import { EventUniqueDetail, uniqueTitle } from './EventUniqueDetail';
import { EventsFilters } from './EventsFilters';
import { EventsHistogram } from './EventsHistogram';
import {
  apiParams, filtersFrom, filtersSearch, intervalFor, when,
  type Bucket, type EventRecord, type Filters, type PageOf, type UniqueRecord,
} from './eventsQuery';
import './Events.css';

const PAGE = 50;
const POLL_MS = 2500;

interface DeviceName { id: string; name: string }

/** The event id an address names: /console/events/{id}. */
const idFrom = (pathname: string) => {
  const rest = pathname.startsWith(`${BASE}events/`) ? pathname.slice(`${BASE}events/`.length) : '';
  return rest ? decodeURIComponent(rest.split('/')[0] ?? '') : null;
};

const endpoint = (ip: string | undefined, port: number | undefined) => `${ip ?? '?'}${port !== undefined ? `:${port}` : ''}`;

/** Source → destination, which may break at the arrow only: the table then fits a 1280 px
 * window, where the Action column would otherwise sit beyond the right edge. */
const Flow = ({ e }: { e: EventRecord }) => (
  <><span className="endpoint">{endpoint(e.src_ip, e.src_port)}</span> → <span className="endpoint">{endpoint(e.dst_ip, e.dst_port)}</span></>
);

export function Events({ user }: { user: SessionUser }) {
  const [filters, setFilters] = useState<Filters>(() => filtersFrom(location.search));
  const [selected, setSelected] = useState<string | null>(() => idFrom(location.pathname));
  const [view, setView] = useState<'events' | 'unique'>('events');
  // The unique event open in the unique view; the API has no address for one, so neither has it.
  const [openUnique, setOpenUnique] = useState<UniqueRecord | null>(null);
  const [devices, setDevices] = useState<DeviceName[]>([]);

  const [events, setEvents] = useState<EventRecord[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [unique, setUnique] = useState<UniqueRecord[] | null>(null);
  const [uniqueCursor, setUniqueCursor] = useState<string | null>(null);
  const [histogram, setHistogram] = useState<{ interval_seconds: number; data: Bucket[] } | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState('');
  const [live, setLive] = useState(true);
  const [fresh, setFresh] = useState<Set<string>>(new Set());
  const [announce, setAnnounce] = useState('');

  const eventsRef = useRef<EventRecord[] | null>(null);
  eventsRef.current = events;
  // Answers for filters no longer shown are dropped.
  const generation = useRef(0);

  useEffect(() => {
    get<{ data: DeviceName[] }>('/api/v1/devices').then((r) => setDevices(r.data), () => setDevices([]));
  }, []);

  // Back and forward move between the list and an event's detail, and between filters.
  useEffect(() => {
    const onPop = () => {
      if (!location.pathname.startsWith(`${BASE}events`)) return;
      setSelected(idFrom(location.pathname));
      setFilters(filtersFrom(location.search));
    };
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);

  const loadHistogram = useCallback((f: Filters, gen: number) => {
    const p = apiParams(f);
    p.set('interval', intervalFor(f));
    get<{ interval_seconds: number; data: Bucket[] }>(`/api/v1/events/histogram?${p}`).then(
      (h) => { if (gen === generation.current) setHistogram(h); },
      () => { /* the list shows the error */ },
    );
  }, []);

  // First page of the current view whenever the filters or the view change.
  useEffect(() => {
    const gen = ++generation.current;
    setError('');
    setFresh(new Set());
    setOpenUnique(null);
    const p = apiParams(filters);
    p.set('limit', String(PAGE));
    if (view === 'events') {
      setEvents(null);
      get<PageOf<EventRecord>>(`/api/v1/events?${p}`).then(
        (r) => { if (gen === generation.current) { setEvents(r.data); setCursor(r.next_cursor); } },
        (err: Error) => { if (gen === generation.current) setError(err.message); },
      );
    } else {
      setUnique(null);
      get<PageOf<UniqueRecord>>(`/api/v1/events/unique?${p}`).then(
        (r) => { if (gen === generation.current) { setUnique(r.data); setUniqueCursor(r.next_cursor); } },
        (err: Error) => { if (gen === generation.current) setError(err.message); },
      );
    }
    setHistogram(null);
    loadHistogram(filters, gen);
  }, [filters, view, loadHistogram]);

  // New events: every few seconds ask for those at or after the newest shown, and prepend the
  // ones not shown yet.
  useEffect(() => {
    if (!live || view !== 'events') return;
    const custom = filters.range === 'custom' && filters.to ? Date.parse(filters.to) : NaN;
    if (custom < Date.now()) return; // a range that has ended gets nothing new
    let busy = false;
    const timer = setInterval(() => {
      const shown = eventsRef.current;
      if (busy || !shown) return;
      busy = true;
      const gen = generation.current;
      const p = apiParams(filters);
      const newest = shown[0]?.time;
      if (newest && (!p.get('since') || newest > (p.get('since') as string))) p.set('since', newest);
      p.set('limit', '200');
      get<PageOf<EventRecord>>(`/api/v1/events?${p}`).then((r) => {
        if (gen !== generation.current) return;
        const have = new Set((eventsRef.current ?? []).map((e) => e.id));
        const added = r.data.filter((e) => !have.has(e.id));
        if (added.length === 0) return;
        setEvents((cur) => [...added, ...(cur ?? [])].sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : 0)));
        setFresh((cur) => new Set([...cur, ...added.map((e) => e.id)]));
        setAnnounce(`${added.length} new ${added.length === 1 ? 'event' : 'events'}`);
        loadHistogram(filters, gen);
      }, () => { /* try again at the next tick */ }).finally(() => { busy = false; });
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [live, view, filters, loadHistogram]);

  const applyFilters = (f: Filters) => {
    history.pushState(null, '', `${BASE}events${selected ? `/${encodeURIComponent(selected)}` : ''}${filtersSearch(f)}`);
    setFilters(f);
  };

  const open = (id: string) => {
    history.pushState(null, '', `${BASE}events/${encodeURIComponent(id)}${location.search}`);
    setSelected(id);
  };
  const close = () => {
    const id = selected;
    history.pushState(null, '', `${BASE}events${location.search}`);
    setSelected(null);
    // Back to the row the detail was opened from, when it is shown.
    requestAnimationFrame(() => document.querySelector<HTMLButtonElement>(`[data-event-id="${CSS.escape(id ?? '')}"]`)?.focus());
  };

  const closeUnique = () => {
    const key = openUnique?.key;
    setOpenUnique(null);
    requestAnimationFrame(() => document.querySelector<HTMLButtonElement>(`[data-unique-key="${CSS.escape(key ?? '')}"]`)?.focus());
  };

  const more = (e: FormEvent) => {
    e.preventDefault();
    const gen = generation.current;
    const p = apiParams(filters);
    p.set('limit', String(PAGE));
    setLoadingMore(true);
    if (view === 'events' && cursor) {
      p.set('cursor', cursor);
      get<PageOf<EventRecord>>(`/api/v1/events?${p}`).then(
        (r) => {
          if (gen !== generation.current) return;
          setEvents((cur) => {
            const have = new Set((cur ?? []).map((x) => x.id));
            return [...(cur ?? []), ...r.data.filter((x) => !have.has(x.id))];
          });
          setCursor(r.next_cursor);
        },
        (err: Error) => setError(err.message),
      ).finally(() => setLoadingMore(false));
    } else if (view === 'unique' && uniqueCursor) {
      p.set('cursor', uniqueCursor);
      get<PageOf<UniqueRecord>>(`/api/v1/events/unique?${p}`).then(
        (r) => { if (gen === generation.current) { setUnique((cur) => [...(cur ?? []), ...r.data]); setUniqueCursor(r.next_cursor); } },
        (err: Error) => setError(err.message),
      ).finally(() => setLoadingMore(false));
    } else setLoadingMore(false);
  };

  const names = new Map(devices.map((d) => [d.id, d.name]));
  const deviceName = (id: string) => names.get(id) ?? id;
  const hasMore = view === 'events' ? cursor !== null : uniqueCursor !== null;

  return (
    <div className="events-page">
      <EventsFilters filters={filters} devices={devices} onApply={applyFilters} />

      <div className="events-bar">
        <div role="group" aria-label="View" className="view-toggle">
          <button type="button" aria-pressed={view === 'events'} onClick={() => setView('events')}>All events</button>
          <button type="button" aria-pressed={view === 'unique'} onClick={() => setView('unique')}>Unique events</button>
        </div>
        <label className="live">
          <input type="checkbox" checked={live} onChange={(e) => setLive(e.target.checked)} disabled={view !== 'events'} />
          Live updates
        </label>
        <p role="status" className="visually-hidden">{announce}</p>
      </div>

      <EventsHistogram data={histogram?.data ?? null} intervalSeconds={histogram?.interval_seconds ?? 3600} />

      {selected && <EventDetail id={selected} deviceName={deviceName} canPromote={user.role !== 'read-only'} onClose={close} />}
      {view === 'unique' && openUnique && (
        <EventUniqueDetail unique={openUnique} deviceName={deviceName} canPromote={user.role !== 'read-only'} onOpenEvent={open} onClose={closeUnique} />
      )}

      {error && <p role="alert" className="error">{error}</p>}

      {view === 'events' ? (
        events === null ? (!error && <p className="muted">Loading…</p>)
          : events.length === 0 ? <p className="muted">No events match.</p>
          : (
            <div className="table-wrap">
              <table className="events-table">
                <caption className="visually-hidden">Events, newest first</caption>
                <thead>
                  <tr><th scope="col">Time</th><th scope="col">Device</th><th scope="col">Type</th><th scope="col">Signature</th><th scope="col">SID</th><th scope="col">Source → destination</th><th scope="col">Action</th></tr>
                </thead>
                <tbody>
                  {events.map((e) => (
                    <tr key={e.id} className={`${fresh.has(e.id) ? 'fresh' : ''} ${selected === e.id ? 'selected' : ''}`.trim() || undefined}>
                      <td>
                        <button type="button" className="link" data-event-id={e.id} aria-label={`Open event of ${when(e.time)}`} onClick={() => open(e.id)}>{when(e.time)}</button>
                      </td>
                      <td className="device" title={deviceName(e.device_id)}>{deviceName(e.device_id)}</td>
                      <td>{e.type}</td>
                      <td className="message">{e.signature?.message ?? '—'}</td>
                      <td>{e.signature?.sid ?? '—'}</td>
                      <td className="flow"><Flow e={e} /></td>
                      <td>{e.action ?? '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
      ) : (
        unique === null ? (!error && <p className="muted">Loading…</p>)
          : unique.length === 0 ? <p className="muted">No events match.</p>
          : (
            <div className="table-wrap">
              <table className="unique-table">
                <caption className="visually-hidden">Unique events, most recent first</caption>
                <thead>
                  <tr><th scope="col">Signature</th><th scope="col">SID</th><th scope="col">Source</th><th scope="col">Destination</th><th scope="col">Count</th><th scope="col">First seen</th><th scope="col">Last seen</th><th scope="col">Devices</th></tr>
                </thead>
                <tbody>
                  {unique.map((u) => (
                    <tr key={u.key} className={openUnique?.key === u.key ? 'selected' : undefined}>
                      <td className="message">
                        <button type="button" className="link" data-unique-key={u.key} aria-label={`Open unique event ${uniqueTitle(u)}`} onClick={() => setOpenUnique(u)}>{u.message ?? u.type}</button>
                      </td>
                      <td>{u.sid !== null ? `${u.gid ?? 1}:${u.sid}` : '—'}</td>
                      <td>{u.src_ip ?? '—'}</td>
                      <td>{u.dst_ip ?? '—'}</td>
                      <td className="count">{u.count}</td>
                      <td className="when">{when(u.first_seen)}</td>
                      <td className="when">{when(u.last_seen)}</td>
                      <td className="unique-devices">{u.devices.map(deviceName).join(', ')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
      )}

      {hasMore && (
        <form onSubmit={more} className="more">
          <button type="submit" disabled={loadingMore}>{loadingMore ? 'Loading…' : 'Load more'}</button>
        </form>
      )}
    </div>
  );
}
