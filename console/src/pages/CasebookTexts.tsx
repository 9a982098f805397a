// A casebook's free texts (CTIA's {type, text} items): listed, added and removed.
import { useId, useState, type FormEvent } from 'react';
import { send } from '../api';
import { casebookPath, type Casebook, type CasebookText } from './casebookQuery';

export function CasebookTexts({ casebook, editable, onChanged }: { casebook: Casebook; editable: boolean; onChanged: (c: Casebook) => void }) {
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const id = useId();
  const texts = casebook.texts ?? [];

  const edit = (operation: 'add' | 'remove', list: CasebookText[]) => {
    setBusy(true);
    setError('');
    return send<Casebook>('POST', `${casebookPath(casebook.id)}/texts`, { operation, texts: list }).then(
      (c) => { onChanged(c); return true; },
      (err: Error) => { setError(err.message); return false; },
    ).finally(() => setBusy(false));
  };
  const add = (e: FormEvent) => {
    e.preventDefault();
    void edit('add', [{ type: 'text', text }]).then((ok) => { if (ok) setText(''); });
  };

  return (
    <section className="casebook-texts" aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`}>Texts ({texts.length})</h3>
      {texts.length === 0 ? <p className="muted-inline">No texts yet.</p> : (
        <ol className="text-list">
          {texts.map((t, i) => (
            <li key={`${i}-${t.text.slice(0, 32)}`}>
              <p className="text-body">{t.text}</p>
              {editable && <button type="button" className="secondary" disabled={busy} aria-label={`Remove text ${i + 1}`} onClick={() => void edit('remove', [t])}>Remove</button>}
            </li>
          ))}
        </ol>
      )}
      {editable && (
        <form className="paste" onSubmit={add}>
          <label htmlFor={`${id}-text`}>New text</label>
          <textarea id={`${id}-text`} rows={3} value={text} onChange={(e) => setText(e.target.value)} />
          <button type="submit" disabled={busy || !text.trim()}>Add text</button>
        </form>
      )}
      {error && <p role="alert" className="error">{error}</p>}
    </section>
  );
}
