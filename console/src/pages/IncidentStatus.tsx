// The status workflow: a button for each next step (New → Open → Closed), and every other CTIM
// status in a select. The server stamps incident_time; its answer is shown at once.
import { useId, useState, type FormEvent } from 'react';
import { send } from '../api';
import { STATUSES, incidentPath, nextSteps, type Incident } from './incidentsQuery';

export function IncidentStatus({ incident, onChanged }: { incident: Incident; onChanged: (i: Incident) => void }) {
  const [other, setOther] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [said, setSaid] = useState('');
  const id = useId();

  const setStatus = (status: string) => {
    setBusy(true);
    setError('');
    send<Incident>('POST', `${incidentPath(incident.id)}/status`, { status }).then(
      (i) => { onChanged(i); setSaid(`Status is now ${i.status}`); setOther(''); },
      (err: Error) => setError(err.message),
    ).finally(() => setBusy(false));
  };
  const submitOther = (e: FormEvent) => {
    e.preventDefault();
    if (other) setStatus(other);
  };

  return (
    <div className="status-workflow" role="group" aria-label="Status">
      <div className="actions">
        {nextSteps(incident.status).map((s) => (
          <button key={s.status} type="button" disabled={busy} onClick={() => setStatus(s.status)}
            className={s.status === 'Rejected' ? 'danger-outline secondary' : undefined}>{s.label}</button>
        ))}
      </div>
      <form className="inline" onSubmit={submitOther}>
        <label htmlFor={`${id}-other`} className="visually-hidden">Other status</label>
        <select id={`${id}-other`} value={other} onChange={(e) => setOther(e.target.value)}>
          <option value="">Other status…</option>
          {STATUSES.filter((s) => s !== incident.status).map((s) => <option key={s} value={s}>{s}</option>)}
        </select>
        <button type="submit" className="secondary" disabled={busy || !other}>Set status</button>
      </form>
      <p role="status" className="visually-hidden">{said}</p>
      {error && <p role="alert" className="error">{error}</p>}
    </div>
  );
}
