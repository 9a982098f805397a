// Puts one event into a new incident by hand (POST /api/v1/incidents/promote, analyst role) and
// links to it, for events no promotion rule took.
import { useState } from 'react';
import { send } from '../api';
import { BASE } from '../nav';
import { shortId } from './incidentsQuery';

interface Promoted { incident: { id: string; title?: string } }

export function EventPromote({ eventId }: { eventId: string }) {
  const [busy, setBusy] = useState(false);
  const [made, setMade] = useState<Promoted['incident'] | null>(null);
  const [error, setError] = useState('');

  const promote = () => {
    setBusy(true);
    setError('');
    send<Promoted>('POST', '/api/v1/incidents/promote', { event_id: eventId })
      .then((r) => setMade(r.incident), (err: Error) => setError(err.message))
      .finally(() => setBusy(false));
  };

  return (
    <span className="event-promote">
      {/* Once made, a second click would open a second incident for the same event. */}
      <button type="button" className="secondary" disabled={busy || made !== null} onClick={promote}>Promote to incident</button>
      <span role="status">
        {made && <>Incident created: <a href={`${BASE}incidents/${encodeURIComponent(shortId(made.id))}`}>{made.title ?? shortId(made.id)}</a></>}
      </span>
      {error && <span role="alert" className="error">{error}</span>}
    </span>
  );
}
