// Promotes the investigation to an incident (CTIA), titled after its observables, and links to
// it on the Incidents page.
import { useState } from 'react';
import { send } from '../api';
import { BASE } from '../nav';
import { shortId, type Observable } from './investigateApi';

interface Incident { id: string; title?: string }

export function InvestigateIncident({ observables, title, malicious }: { observables: Observable[]; title: string; malicious: boolean }) {
  const [busy, setBusy] = useState(false);
  const [made, setMade] = useState<Incident | null>(null);
  const [error, setError] = useState('');

  const promote = () => {
    setBusy(true);
    setError('');
    const now = new Date().toISOString();
    send<Incident>('POST', '/ctia/incident', {
      title,
      description: `Promoted from an investigation of:\n${observables.map((o) => `- ${o.type}: ${o.value}`).join('\n')}`,
      confidence: 'High',
      severity: malicious ? 'High' : 'Medium',
      status: 'New',
      promotion_method: 'Manual',
      incident_time: { opened: now, discovered: now },
    }).then(setMade, (err: Error) => setError(err.message)).finally(() => setBusy(false));
  };

  return (
    <section className="inv-save" aria-labelledby="inv-incident-h">
      <h2 id="inv-incident-h">Incident</h2>
      <button type="button" disabled={busy || observables.length === 0} onClick={promote}>Promote to incident</button>
      <p role="status" className="inv-said">
        {made && <>Incident created: <a href={`${BASE}incidents/${encodeURIComponent(shortId(made.id))}`}>{made.title ?? shortId(made.id)}</a></>}
      </p>
      {error && <p role="alert" className="error">{error}</p>}
    </section>
  );
}
