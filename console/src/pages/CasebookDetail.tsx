// One casebook: rename and describe it, its observables and texts, and deleting it. Each change
// answers with the stored casebook, which replaces the one shown.
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { get, send } from '../api';
import { CasebookObservables } from './CasebookObservables';
import { CasebookTexts } from './CasebookTexts';
import { casebookPath, titleOf, type Casebook } from './casebookQuery';

export function CasebookDetail({ id, editable, onClose, onChanged, onDeleted }: {
  id: string;
  editable: boolean;
  onClose: () => void;
  onChanged: (c: Casebook) => void;
  onDeleted: () => void;
}) {
  const [casebook, setCasebook] = useState<Casebook | null>(null);
  const [error, setError] = useState('');
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    let live = true;
    setCasebook(null);
    setError('');
    get<Casebook>(casebookPath(id)).then(
      (c) => { if (live) setCasebook(c); },
      (err: Error) => { if (live) setError(err.message); },
    );
    return () => { live = false; };
  }, [id]);

  const loaded = casebook !== null;
  useEffect(() => { if (loaded) heading.current?.focus(); }, [loaded, id]);

  const changed = (c: Casebook) => {
    setCasebook(c);
    onChanged(c);
  };

  return (
    <section className="casebook-detail" aria-labelledby="casebook-detail-title">
      <div className="detail-head">
        <h2 id="casebook-detail-title" tabIndex={-1} ref={heading}>{casebook ? titleOf(casebook) : `Casebook ${id}`}</h2>
        <button type="button" className="secondary" onClick={onClose}>Close casebook</button>
      </div>
      {error && <p role="alert" className="error">{error}</p>}
      {!casebook && !error && <p className="muted">Loading…</p>}
      {casebook && (
        <>
          {editable ? <Describe casebook={casebook} onChanged={changed} /> : casebook.description && <p className="description">{casebook.description}</p>}
          <CasebookObservables casebook={casebook} editable={editable} onChanged={changed} />
          <CasebookTexts casebook={casebook} editable={editable} onChanged={changed} />
          {editable && <Delete casebook={casebook} onDeleted={onDeleted} />}
        </>
      )}
    </section>
  );
}

function Describe({ casebook, onChanged }: { casebook: Casebook; onChanged: (c: Casebook) => void }) {
  const [title, setTitle] = useState(casebook.title ?? '');
  const [description, setDescription] = useState(casebook.description ?? '');
  const [busy, setBusy] = useState(false);
  const [said, setSaid] = useState('');
  const [error, setError] = useState('');
  const id = useId();
  const dirty = title !== (casebook.title ?? '') || description !== (casebook.description ?? '');

  const save = (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    // An emptied field is removed (PATCH null), not stored as "".
    send<Casebook>('PATCH', casebookPath(casebook.id), { title: title.trim() || null, description: description.trim() || null }).then(
      (c) => { onChanged(c); setSaid('Saved'); },
      (err: Error) => setError(err.message),
    ).finally(() => setBusy(false));
  };

  return (
    <form className="casebook-describe" onSubmit={save}>
      <div className="field">
        <label htmlFor={`${id}-title`}>Casebook title</label>
        <input id={`${id}-title`} maxLength={1024} value={title} onChange={(e) => { setTitle(e.target.value); setSaid(''); }} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-description`}>Casebook description</label>
        <textarea id={`${id}-description`} rows={2} value={description} onChange={(e) => { setDescription(e.target.value); setSaid(''); }} />
      </div>
      <div className="actions">
        <button type="submit" disabled={busy || !dirty}>Save title and description</button>
        <span role="status" className="said">{said}</span>
      </div>
      {error && <p role="alert" className="error">{error}</p>}
    </form>
  );
}

function Delete({ casebook, onDeleted }: { casebook: Casebook; onDeleted: () => void }) {
  const [asking, setAsking] = useState(false);
  const [error, setError] = useState('');
  const confirm = useRef<HTMLButtonElement>(null);
  useEffect(() => { if (asking) confirm.current?.focus(); }, [asking]);

  const remove = () => {
    setError('');
    send('DELETE', casebookPath(casebook.id)).then(onDeleted, (err: Error) => setError(err.message));
  };

  return (
    <div className="casebook-delete">
      {asking ? (
        <span className="confirm" role="group" aria-label={`Confirm deleting ${titleOf(casebook)}`}>
          Delete this casebook for good?
          <button type="button" className="danger" ref={confirm} onClick={remove}>Delete</button>
          <button type="button" className="secondary" onClick={() => setAsking(false)}>Cancel</button>
        </span>
      ) : <button type="button" className="secondary danger-outline" onClick={() => setAsking(true)}>Delete casebook</button>}
      {error && <p role="alert" className="error">{error}</p>}
    </div>
  );
}
