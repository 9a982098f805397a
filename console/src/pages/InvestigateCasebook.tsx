// Adds the selected observables to a casebook: an existing one, or a new one made here; what
// was done names the casebook with a link to it on the Casebooks page.
import { useEffect, useState, type FormEvent } from 'react';
import { get, send } from '../api';
import { BASE } from '../nav';
import { shortId, type Observable } from './investigateApi';

interface Casebook { id: string; title?: string; observables?: Observable[] }

const NEW = '';

/** What was done, around the casebook's name, which links to it. */
interface Said { before: string; id: string; title: string; after: string }

export function InvestigateCasebook({ observables, defaultTitle }: { observables: Observable[]; defaultTitle: string }) {
  const [casebooks, setCasebooks] = useState<Casebook[]>([]);
  const [pick, setPick] = useState(NEW);
  const [title, setTitle] = useState(defaultTitle);
  const [busy, setBusy] = useState(false);
  const [said, setSaid] = useState<Said | null>(null);
  const [error, setError] = useState('');

  const load = () => get<Casebook[]>('/ctia/casebook/search?limit=100&sort_by=modified&sort_order=desc').then(setCasebooks, (err: Error) => setError(err.message));
  useEffect(() => { void load(); }, []);
  useEffect(() => setTitle(defaultTitle), [defaultTitle]);

  const add = (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    setSaid(null);
    const n = `${observables.length} ${observables.length === 1 ? 'observable' : 'observables'}`;
    const done = pick === NEW
      ? send<Casebook>('POST', '/ctia/casebook', { title: title.trim() || defaultTitle, observables }).then((c): Said => {
        setPick(shortId(c.id));
        return { before: 'Created casebook ', id: shortId(c.id), title: c.title ?? shortId(c.id), after: ` with ${n}` };
      })
      : send<Casebook>('POST', `/ctia/casebook/${encodeURIComponent(pick)}/observables`, { operation: 'add', observables })
        .then((c): Said => ({ before: `Added ${n} to casebook `, id: pick, title: c.title ?? pick, after: '' }));
    done.then((s) => { setSaid(s); return load(); }, (err: Error) => setError(err.message)).finally(() => setBusy(false));
  };

  return (
    <form className="inv-save" onSubmit={add} aria-labelledby="inv-casebook-h">
      <h2 id="inv-casebook-h">Add to casebook</h2>
      <label htmlFor="inv-casebook">Casebook</label>
      <select id="inv-casebook" value={pick} onChange={(e) => setPick(e.target.value)}>
        <option value={NEW}>New casebook…</option>
        {casebooks.map((c) => <option key={c.id} value={shortId(c.id)}>{c.title ?? shortId(c.id)}</option>)}
      </select>
      {pick === NEW && (
        <>
          <label htmlFor="inv-casebook-title">New casebook title</label>
          <input id="inv-casebook-title" value={title} maxLength={1024} onChange={(e) => setTitle(e.target.value)} />
        </>
      )}
      <button type="submit" disabled={busy || observables.length === 0}>Add {observables.length} to casebook</button>
      <p role="status" className="inv-said">
        {said && <>{said.before}“<a href={`${BASE}casebooks/${encodeURIComponent(said.id)}`}>{said.title}</a>”{said.after}</>}
      </p>
      {error && <p role="alert" className="error">{error}</p>}
    </form>
  );
}
