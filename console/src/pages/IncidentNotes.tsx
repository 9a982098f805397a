// Analysts' notes on an incident, oldest first, each with its author and time.
import { useId, useState, type FormEvent } from 'react';
import { send } from '../api';
import { incidentPath, when, type Incident } from './incidentsQuery';

export function IncidentNotes({ incident, editable, onChanged }: { incident: Incident; editable: boolean; onChanged: (i: Incident) => void }) {
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const id = useId();
  const notes = incident.notes ?? [];

  const add = (e: FormEvent) => {
    e.preventDefault();
    if (!text.trim()) return;
    setBusy(true);
    setError('');
    send<Incident>('POST', `${incidentPath(incident.id)}/notes`, { text }).then(
      (i) => { onChanged(i); setText(''); },
      (err: Error) => setError(err.message),
    ).finally(() => setBusy(false));
  };

  return (
    <section className="notes" aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`}>Notes ({notes.length})</h3>
      {notes.length > 0 && (
        <ol className="note-list">
          {notes.map((n, i) => (
            <li key={`${n.time}-${i}`}>
              <p className="note-meta"><span className="note-author">{n.author}</span> <time dateTime={n.time}>{when(n.time)}</time></p>
              <p className="note-text">{n.text}</p>
            </li>
          ))}
        </ol>
      )}
      {editable && (
        <form className="note-form" onSubmit={add}>
          <label htmlFor={`${id}-text`}>New note</label>
          <textarea id={`${id}-text`} rows={3} value={text} onChange={(e) => setText(e.target.value)} />
          <button type="submit" disabled={busy || !text.trim()}>Add note</button>
        </form>
      )}
      {error && <p role="alert" className="error">{error}</p>}
    </section>
  );
}
