// Puts one event, or a unique event (all its events), into a new incident by hand
// (POST /api/v1/incidents/promote, analyst role) and links to it, for events no promotion rule
// took.
import { useState } from 'react';
import { send } from '../api';
import { BASE } from '../nav';
import { shortId } from './incidentsQuery';
import type { UniqueRecord } from './eventsQuery';

interface Promoted { incident: { id: string; title?: string }; events: number }

/** What the promote call takes: one event by its id, or a unique event by its identity. */
export type PromoteTarget =
  | { event_id: string }
  | { unique: Pick<UniqueRecord, 'type' | 'src_ip' | 'dst_ip' | 'gid' | 'sid'> };

export function EventPromote({ target }: { target: PromoteTarget }) {
  const [busy, setBusy] = useState(false);
  const [made, setMade] = useState<Promoted | null>(null);
  const [error, setError] = useState('');

  const promote = () => {
    setBusy(true);
    setError('');
    send<Promoted>('POST', '/api/v1/incidents/promote', target)
      .then(setMade, (err: Error) => setError(err.message))
      .finally(() => setBusy(false));
  };

  const inc = made?.incident;
  return (
    <span className="event-promote">
      {/* Once made, a second click would open a second incident for the same events. */}
      <button type="button" className="secondary" disabled={busy || made !== null} onClick={promote}>Promote to incident</button>
      <span role="status">
        {inc && <>Incident created{'unique' in target ? ` with ${made.events} ${made.events === 1 ? 'event' : 'events'}` : ''}: <a href={`${BASE}incidents/${encodeURIComponent(shortId(inc.id))}`}>{inc.title ?? shortId(inc.id)}</a></>}
      </span>
      {error && <span role="alert" className="error">{error}</span>}
    </span>
  );
}
