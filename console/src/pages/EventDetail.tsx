// One event: a summary, the way on to Investigate (its addresses and observables) and, for
// analysts, into an incident; and the whole stored record (with the sensor's raw record) as JSON.
import { useEffect, useRef, useState } from 'react';
import { get } from '../api';
import { BASE } from '../nav';
import { EventPromote } from './EventPromote';
import { when, type EventRecord } from './eventsQuery';
import { investigateHref } from './incidentsQuery';

/** What an analyst would look into: the flow's addresses, then what the sensor reported. */
function pivots(e: EventRecord): Array<{ type: string; value: string }> {
  const all = [
    ...[e.src_ip, e.dst_ip].filter((v): v is string => typeof v === 'string' && v !== '').map((value) => ({ type: 'ip', value })),
    ...Object.entries(e.observables ?? {}).flatMap(([type, values]) => values.map((value) => ({ type, value }))),
  ];
  return [...new Map(all.map((o) => [`${o.type}:${o.value}`, o])).values()];
}

export function EventDetail({ id, deviceName, canPromote, onClose }: {
  id: string;
  deviceName: (id: string) => string;
  canPromote: boolean;
  onClose: () => void;
}) {
  const [event, setEvent] = useState<EventRecord | null>(null);
  const [error, setError] = useState('');
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    let live = true;
    setEvent(null);
    setError('');
    get<EventRecord>(`/api/v1/events/${encodeURIComponent(id)}`).then(
      (e) => { if (live) setEvent(e); },
      (err: Error) => { if (live) setError(err.message); },
    );
    heading.current?.focus();
    return () => { live = false; };
  }, [id]);

  const observables = event ? Object.entries(event.observables ?? {}).flatMap(([kind, values]) => values.map((v) => [kind, v] as const)) : [];
  return (
    <section className="event-detail" aria-labelledby="event-detail-title">
      <div className="detail-head">
        <h2 id="event-detail-title" tabIndex={-1} ref={heading}>Event {id}</h2>
        <button type="button" onClick={onClose}>Close detail</button>
      </div>
      {error && <p role="alert" className="error">{error}</p>}
      {!event && !error && <p className="muted">Loading…</p>}
      {event && (
        <>
          <dl className="facts">
            <dt>Time</dt><dd>{when(event.time)}</dd>
            <dt>Received</dt><dd>{when(event.received_at)}</dd>
            <dt>Device</dt><dd>{deviceName(event.device_id)}</dd>
            <dt>Type</dt><dd>{event.type}</dd>
            {event.signature && <><dt>Signature</dt><dd>{event.signature.message ?? '—'} ({event.signature.gid ?? 1}:{event.signature.sid ?? '?'}:{event.signature.rev ?? 0})</dd></>}
            <dt>Flow</dt><dd>{event.src_ip ?? '?'}{event.src_port !== undefined ? `:${event.src_port}` : ''} → {event.dst_ip ?? '?'}{event.dst_port !== undefined ? `:${event.dst_port}` : ''} {event.protocol ?? ''}</dd>
          </dl>
          {observables.length > 0 && (
            <p className="observables">Observables:{' '}
              {observables.map(([kind, v]) => (
                <span key={`${kind}:${v}`} className="observable">
                  <a href={`${BASE}events?observable=${encodeURIComponent(v)}`}>{kind}: {v}</a>{' '}
                  <a href={investigateHref([{ type: kind, value: v }])} aria-label={`Investigate ${v}`}>investigate</a>
                </span>
              ))}
            </p>
          )}
          <div className="event-actions">
            {pivots(event).length > 0 && <a href={investigateHref(pivots(event))}>Investigate this event</a>}
            {canPromote && <EventPromote key={event.id} target={{ event_id: event.id }} />}
          </div>
          <h3>Raw record</h3>
          <pre className="raw" tabIndex={0} aria-label="Raw record">{JSON.stringify(event, null, 2)}</pre>
        </>
      )}
    </section>
  );
}
