// Promotes the investigation to an incident (POST /api/v1/incidents/promote with its
// observables): the incident holds the picked observables, with the org's own events that name
// them as sightings, and links back here. Titled after the observables; linked to on the
// Incidents page.
import { useState } from 'react';
import { send } from '../api';
import { BASE } from '../nav';
import { shortId, type Observable } from './investigateApi';

interface Promoted { incident: { id: string; title?: string }; events: number }

export function InvestigateIncident({ observables, title, malicious }: { observables: Observable[]; title: string; malicious: boolean }) {
  const [busy, setBusy] = useState(false);
  const [made, setMade] = useState<Promoted | null>(null);
  const [error, setError] = useState('');

  const promote = () => {
    setBusy(true);
    setError('');
    send<Promoted>('POST', '/api/v1/incidents/promote', { observables, title, severity: malicious ? 'High' : 'Medium' })
      .then(setMade, (err: Error) => setError(err.message))
      .finally(() => setBusy(false));
  };

  const inc = made?.incident;
  return (
    <section className="inv-save" aria-labelledby="inv-incident-h">
      <h2 id="inv-incident-h">Incident</h2>
      <button type="button" disabled={busy || observables.length === 0} onClick={promote}>Promote to incident</button>
      <p role="status" className="inv-said">
        {inc && made && (
          <>
            Incident created: <a href={`${BASE}incidents/${encodeURIComponent(shortId(inc.id))}`}>{inc.title ?? shortId(inc.id)}</a>
            {made.events > 0 ? ` with ${made.events} of your ${made.events === 1 ? 'event' : 'events'}` : ''}
          </>
        )}
      </p>
      {error && <p role="alert" className="error">{error}</p>}
    </section>
  );
}
