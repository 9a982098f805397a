// Starting a casebook: a title and, if wanted, a description; observables and texts come after.
import { useId, useState, type FormEvent } from 'react';
import { send } from '../api';
import type { Casebook } from './casebookQuery';

export function CasebookNew({ onCreated }: { onCreated: (c: Casebook) => void }) {
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const id = useId();

  const create = (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    const body = { title: title.trim(), observables: [], texts: [], ...(description.trim() ? { description: description.trim() } : {}) };
    send<Casebook>('POST', '/ctia/casebook', body).then(
      (c) => { setTitle(''); setDescription(''); onCreated(c); },
      (err: Error) => setError(err.message),
    ).finally(() => setBusy(false));
  };

  return (
    <form className="new-casebook" onSubmit={create} aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>New casebook</h2>
      <div className="field">
        <label htmlFor={`${id}-title`}>Title</label>
        <input id={`${id}-title`} required maxLength={1024} value={title} onChange={(e) => setTitle(e.target.value)} />
      </div>
      <div className="field wide">
        <label htmlFor={`${id}-description`}>Description</label>
        <input id={`${id}-description`} value={description} onChange={(e) => setDescription(e.target.value)} />
      </div>
      <button type="submit" disabled={busy || !title.trim()}>Create casebook</button>
      {error && <p role="alert" className="error">{error}</p>}
    </form>
  );
}
