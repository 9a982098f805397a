// One event: a summary and the whole stored record (with the sensor's raw record) as JSON.
import { useEffect, useRef, useState } from 'react';
import { get } from '../api';
import { BASE } from '../nav';
import { when, type EventRecord } from './eventsQuery';

export function EventDetail({ id, deviceName, onClose }: { id: string; deviceName: (id: string) => string; onClose: () => void }) {
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
                <a key={`${kind}:${v}`} href={`${BASE}events?observable=${encodeURIComponent(v)}`}>{kind}: {v}</a>
              ))}
            </p>
          )}
          <h3>Raw record</h3>
          <pre className="raw" tabIndex={0} aria-label="Raw record">{JSON.stringify(event, null, 2)}</pre>
        </>
      )}
    </section>
  );
}
