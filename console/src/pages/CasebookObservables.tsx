// A casebook's observables: each links to Investigate; an analyst removes them one by one, or
// pastes any text (defanged or not) from which the server's inspect finds those to add.
import { useId, useState, type FormEvent } from 'react';
import { send } from '../api';
import { investigateHref, type Observable } from './incidentsQuery';
import { casebookPath, type Casebook } from './casebookQuery';

export function CasebookObservables({ casebook, editable, onChanged }: { casebook: Casebook; editable: boolean; onChanged: (c: Casebook) => void }) {
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [said, setSaid] = useState('');
  const [error, setError] = useState('');
  const id = useId();
  const observables = casebook.observables ?? [];

  const edit = (operation: 'add' | 'remove', list: Observable[]) =>
    send<Casebook>('POST', `${casebookPath(casebook.id)}/observables`, { operation, observables: list }).then(onChanged);

  const run = (f: () => Promise<void>) => {
    setBusy(true);
    setError('');
    setSaid('');
    f().catch((err: Error) => setError(err.message)).finally(() => setBusy(false));
  };

  const add = (e: FormEvent) => {
    e.preventDefault();
    run(async () => {
      const found = await send<Observable[]>('POST', '/iroh/iroh-inspect/inspect', { content: text });
      if (found.length === 0) {
        setSaid('No observables found in that text.');
        return;
      }
      const have = new Set(observables.map((o) => `${o.type}\u0000${o.value}`));
      const fresh = found.filter((o) => !have.has(`${o.type}\u0000${o.value}`));
      await edit('add', found);
      setText('');
      setSaid(`Found ${found.length}, added ${fresh.length} new.`);
    });
  };
  const remove = (o: Observable) => run(async () => {
    await edit('remove', [o]);
    setSaid(`Removed ${o.value}.`);
  });

  return (
    <section className="casebook-observables" aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`}>Observables ({observables.length})</h3>
      {observables.length === 0 ? <p className="muted-inline">No observables yet.</p> : (
        <>
          <p><a href={investigateHref(observables)}>Investigate all</a></p>
          <ul className="observable-list">
            {observables.map((o) => (
              <li key={`${o.type}:${o.value}`}>
                <span className="observable-type">{o.type}</span>
                <a className="observable" href={investigateHref([o])} aria-label={`Investigate ${o.type} ${o.value}`}>{o.value}</a>
                {editable && <button type="button" className="secondary" disabled={busy} aria-label={`Remove ${o.type} ${o.value}`} onClick={() => remove(o)}>Remove</button>}
              </li>
            ))}
          </ul>
        </>
      )}
      {editable && (
        <form className="paste" onSubmit={add}>
          <label htmlFor={`${id}-paste`}>Paste text with observables</label>
          <textarea id={`${id}-paste`} rows={4} value={text} aria-describedby={`${id}-paste-hint`} onChange={(e) => setText(e.target.value)} />
          <span id={`${id}-paste-hint`} className="hint">Addresses, domains, URLs, hashes… defanged ones (evil[.]com, hxxp://) too.</span>
          <button type="submit" disabled={busy || !text.trim()}>Add observables</button>
        </form>
      )}
      <p role="status" className="said">{said}</p>
      {error && <p role="alert" className="error">{error}</p>}
    </section>
  );
}
