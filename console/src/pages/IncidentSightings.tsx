// The sightings an incident holds: counts, first and last seen, observables, and links to the
// events behind each (the sighting's source_uri is the console's event view) and to
// investigate the observables (an investigation promoted here has a sighting of its
// observables whose source_uri is that investigation).
import { useEffect, useId, useState } from 'react';
import { get } from '../api';
import { BASE } from '../nav';
import { consoleHref, incidentPath, investigateHref, when, type Observable, type Sighting } from './incidentsQuery';

const MAX = 500;

/** The source of the sighting an investigation promoted here holds its observables in: an
 * analyst's listing, not events, so the events it counts are none. */
const INVESTIGATION = 'threatlink investigate';

/** What a sighting's own link leads to, by the console page it names. */
const sourceLabel = (href: string) => (href.startsWith(`${BASE}investigate`) ? 'Investigate them again' : 'Latest event of this sighting');

export function IncidentSightings({ id }: { id: string }) {
  const [sightings, setSightings] = useState<Sighting[] | null>(null);
  const [error, setError] = useState('');
  const hid = useId();

  useEffect(() => {
    let live = true;
    get<Sighting[]>(`${incidentPath(id)}/sightings?limit=${MAX}`).then(
      (s) => { if (live) setSightings(s); },
      (err: Error) => { if (live) setError(err.message); },
    );
    return () => { live = false; };
  }, [id]);

  const all: Observable[] = [...new Map((sightings ?? []).flatMap((s) => s.observables ?? []).map((o) => [`${o.type}:${o.value}`, o])).values()];
  const events = (sightings ?? []).reduce((n, s) => n + (s.source === INVESTIGATION ? 0 : s.count), 0);

  return (
    <section className="sightings" aria-labelledby={`${hid}-h`}>
      <h3 id={`${hid}-h`}>Sightings{sightings ? ` (${sightings.length}, ${events} ${events === 1 ? 'event' : 'events'})` : ''}</h3>
      {error && <p role="alert" className="error">{error}</p>}
      {!sightings && !error && <p className="muted">Loading…</p>}
      {sightings?.length === 0 && <p className="muted-inline">No sightings.</p>}
      {all.length > 0 && <p><a href={investigateHref(all)}>Investigate these observables</a></p>}
      {sightings && sightings.length > 0 && (
        <ul className="sighting-list">
          {sightings.map((s) => {
            const href = consoleHref(s.source_uri);
            return (
              <li key={s.id} className="sighting">
                <p className="sighting-title">{s.title ?? 'Sighting'}{s.severity ? <span className="sub">{s.severity} severity</span> : null}</p>
                {s.description && <p className="sighting-description">{s.description}</p>}
                <dl className="facts">
                  <dt>Count</dt><dd className="sighting-count">{s.count}</dd>
                  <dt>First seen</dt><dd>{when(s.observed_time.start_time)}</dd>
                  <dt>Last seen</dt><dd>{when(s.observed_time.end_time ?? s.observed_time.start_time)}</dd>
                </dl>
                {href && <p><a href={href}>{sourceLabel(href)}</a></p>}
                {(s.observables?.length ?? 0) > 0 && (
                  <ul className="observable-list" aria-label="Observables">
                    {s.observables!.map((o) => (
                      <li key={`${o.type}:${o.value}`}>
                        <span className="observable">{o.type}: {o.value}</span>{' '}
                        <a href={`${BASE}events?observable=${encodeURIComponent(o.value)}`} aria-label={`Events with ${o.value}`}>events</a>{' '}
                        <a href={investigateHref([o])} aria-label={`Investigate ${o.value}`}>investigate</a>
                      </li>
                    ))}
                  </ul>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
