// Who works the incident: the assignees list, set with PATCH (an empty list removes the field).
import { useId, useState, type FormEvent } from 'react';
import { send, type SessionUser } from '../api';
import { incidentPath, meOf, type Incident } from './incidentsQuery';

export function IncidentAssignees({ incident, user, editable, onChanged }: {
  incident: Incident;
  user: SessionUser;
  editable: boolean;
  onChanged: (i: Incident) => void;
}) {
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const id = useId();
  const assignees = incident.assignees ?? [];
  const me = meOf(user);

  const save = (next: string[]) => {
    setBusy(true);
    setError('');
    return send<Incident>('PATCH', incidentPath(incident.id), { assignees: next.length ? next : null }).then(
      (i) => { onChanged(i); return true; },
      (err: Error) => { setError(err.message); return false; },
    ).finally(() => setBusy(false));
  };
  const add = (e: FormEvent) => {
    e.preventDefault();
    const n = name.trim();
    if (n && !assignees.includes(n)) void save([...assignees, n]).then((ok) => { if (ok) setName(''); });
  };

  return (
    <section className="assignees" aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`}>Assignees</h3>
      {assignees.length === 0 ? <p className="muted-inline">Nobody is assigned.</p> : (
        <ul className="assignee-list">
          {assignees.map((a) => (
            <li key={a}>
              <span>{a}</span>
              {editable && <button type="button" className="secondary" disabled={busy} aria-label={`Unassign ${a}`} onClick={() => void save(assignees.filter((x) => x !== a))}>Unassign</button>}
            </li>
          ))}
        </ul>
      )}
      {editable && (
        <div className="actions">
          {!assignees.includes(me) && <button type="button" disabled={busy} onClick={() => void save([...assignees, me])}>Assign to me</button>}
          <form className="inline" onSubmit={add}>
            <label htmlFor={`${id}-name`} className="visually-hidden">Assign to</label>
            <input id={`${id}-name`} placeholder="Assign to…" value={name} onChange={(e) => setName(e.target.value)} />
            <button type="submit" className="secondary" disabled={busy || !name.trim()}>Assign</button>
          </form>
        </div>
      )}
      {error && <p role="alert" className="error">{error}</p>}
    </section>
  );
}
