// One unique event (a row of the unique view): what groups its events, their count and first
// and last seen, its latest events (each opens as an event), the way on to Investigate and, for
// analysts, into an incident with all its events.
import { useEffect, useRef, useState } from 'react';
import { get } from '../api';
import { BASE } from '../nav';
import { EventPromote } from './EventPromote';
import { when, type EventRecord, type PageOf, type UniqueRecord } from './eventsQuery';
import { investigateHref } from './incidentsQuery';

/** Latest events of the unique event listed here; the rest are a search away. */
const SHOWN = 20;

/** The events a unique event groups: those the events API marks with its key, as the promote call picks them. */
const sameAs = (u: UniqueRecord) => (e: EventRecord) => e.unique_key === u.key;

/** The event search that holds the unique event's events (and maybe others of its addresses). */
function searchOf(u: UniqueRecord): URLSearchParams {
  const p = new URLSearchParams({ type: u.type });
  if (u.sid !== null) p.set('sid', String(u.sid));
  const addr = u.src_ip ?? u.dst_ip;
  if (addr) p.set('observable', addr);
  return p;
}

export const uniqueTitle = (u: UniqueRecord) => `${u.message ?? `${u.type} events`}: ${u.src_ip ?? '?'} → ${u.dst_ip ?? '?'}`;

export function EventUniqueDetail({ unique: u, deviceName, canPromote, onOpenEvent, onClose }: {
  unique: UniqueRecord;
  deviceName: (id: string) => string;
  canPromote: boolean;
  onOpenEvent: (id: string) => void;
  onClose: () => void;
}) {
  const [events, setEvents] = useState<EventRecord[] | null>(null);
  const [error, setError] = useState('');
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    let live = true;
    setEvents(null);
    setError('');
    const p = searchOf(u);
    p.set('limit', '200');
    get<PageOf<EventRecord>>(`/api/v1/events?${p}`).then(
      (r) => { if (live) setEvents(r.data.filter(sameAs(u)).slice(0, SHOWN)); },
      (err: Error) => { if (live) setError(err.message); },
    );
    heading.current?.focus();
    return () => { live = false; };
  }, [u]);

  const addresses = [u.src_ip, u.dst_ip].filter((v): v is string => v !== null).map((value) => ({ type: 'ip', value }));
  return (
    <section className="event-detail" aria-labelledby="unique-detail-title">
      <div className="detail-head">
        <h2 id="unique-detail-title" tabIndex={-1} ref={heading}>Unique event: {uniqueTitle(u)}</h2>
        <button type="button" onClick={onClose}>Close detail</button>
      </div>
      <dl className="facts">
        <dt>Type</dt><dd>{u.type}</dd>
        {u.sid !== null && <><dt>Signature</dt><dd>{u.message ?? '—'} ({u.gid ?? 1}:{u.sid})</dd></>}
        <dt>Source</dt><dd>{u.src_ip ?? '—'}</dd>
        <dt>Destination</dt><dd>{u.dst_ip ?? '—'}</dd>
        <dt>Count</dt><dd className="unique-count">{u.count}</dd>
        <dt>First seen</dt><dd>{when(u.first_seen)}</dd>
        <dt>Last seen</dt><dd>{when(u.last_seen)}</dd>
        <dt>Devices</dt><dd>{u.devices.map(deviceName).join(', ')}</dd>
      </dl>
      <div className="event-actions">
        {addresses.length > 0 && <a href={investigateHref(addresses)}>Investigate its addresses</a>}
        <a href={`${BASE}events?${searchOf(u)}`}>Search its events</a>
        {canPromote && <EventPromote key={u.key} target={{ unique: { type: u.type, src_ip: u.src_ip, dst_ip: u.dst_ip, gid: u.gid, sid: u.sid, key: u.key } }} />}
      </div>
      <h3>Latest events</h3>
      {error && <p role="alert" className="error">{error}</p>}
      {!events && !error && <p className="muted">Loading…</p>}
      {events?.length === 0 && <p className="muted">None of its events are stored any more.</p>}
      {events && events.length > 0 && (
        <ul className="unique-events" aria-label="Latest events of this unique event">
          {events.map((e) => (
            <li key={e.id}>
              <button type="button" className="link" onClick={() => onOpenEvent(e.id)} aria-label={`Open event of ${when(e.time)}`}>{when(e.time)}</button>
              {' '}<span className="sub-inline">{deviceName(e.device_id)}{e.action ? `, ${e.action}` : ''}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
