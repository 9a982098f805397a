// Promotes the investigation to an incident (POST /api/v1/incidents/promote with its
// observables): the incident holds the picked observables, with the org's own events that name
// them as sightings, and links back here. Titled after the observables; linked to on the
// Incidents page.
import { usePromote } from './usePromote';
import { BASE } from '../nav';
import { shortId, type Observable } from './investigateApi';

export function InvestigateIncident({ observables, title, malicious }: { observables: Observable[]; title: string; malicious: boolean }) {
  const { busy, made, error, promote: send } = usePromote();
  const promote = () => send({ observables, title, severity: malicious ? 'High' : 'Medium' });

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
