// Casebooks: an analyst's collections of observables and texts. The list (most recently changed
// first), a form to start one, and the open casebook, whose address is /console/casebooks/{id}.
import { useCallback, useEffect, useState } from 'react';
import { get, type SessionUser } from '../api';
import { BASE } from '../nav';
import { CasebookDetail } from './CasebookDetail';
import { CasebookNew } from './CasebookNew';
import { canChange, when } from './incidentsQuery';
import { casebookId, openCasebookFrom, titleOf, type Casebook } from './casebookQuery';
import './Casebooks.css';

const PAGE = 50;

export function Casebooks({ user }: { user: SessionUser }) {
  const [selected, setSelected] = useState<string | null>(() => openCasebookFrom(location.pathname));
  const [casebooks, setCasebooks] = useState<Casebook[] | null>(null);
  const [total, setTotal] = useState<number | null>(null);
  const [offset, setOffset] = useState(0);
  const [error, setError] = useState('');
  const editable = canChange(user);

  const load = useCallback(() => {
    setError('');
    get<Casebook[]>(`/ctia/casebook/search?limit=${PAGE}&offset=${offset}&sort_by=modified:desc`).then(setCasebooks, (err: Error) => setError(err.message));
    get<number>('/ctia/casebook/search/count').then(setTotal, (err: Error) => setError(err.message));
  }, [offset]);
  useEffect(load, [load]);

  useEffect(() => {
    const onPop = () => { if (location.pathname.startsWith(`${BASE}casebooks`)) setSelected(openCasebookFrom(location.pathname)); };
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);

  const open = (id: string | null) => {
    history.pushState(null, '', `${BASE}casebooks${id ? `/${encodeURIComponent(id)}` : ''}`);
    setSelected(id);
  };
  const close = () => {
    const id = selected;
    open(null);
    requestAnimationFrame(() => document.querySelector<HTMLButtonElement>(`[data-casebook-id="${CSS.escape(id ?? '')}"]`)?.focus());
  };
  const changed = (c: Casebook) => setCasebooks((cur) => [c, ...(cur ?? []).filter((x) => x.id !== c.id)]);
  const deleted = () => {
    open(null);
    load();
  };

  return (
    <div className="casebooks-page">
      {editable
        ? <CasebookNew onCreated={(c) => { changed(c); setTotal((n) => (n ?? 0) + 1); open(casebookId(c.id)); }} />
        : <p className="hint">You can read casebooks; changing them takes the analyst role.</p>}

      {selected && <CasebookDetail id={selected} editable={editable} onClose={close} onChanged={changed} onDeleted={deleted} />}

      {error && <p role="alert" className="error">{error}</p>}
      <p className="total">{total === null ? '' : total === 0 ? 'No casebooks yet.' : `${total} ${total === 1 ? 'casebook' : 'casebooks'}`}</p>
      {casebooks === null && !error && <p className="muted">Loading…</p>}
      {casebooks && casebooks.length > 0 && (
        <div className="table-wrap">
          <table className="casebooks-table">
            <caption className="visually-hidden">Casebooks, most recently changed first</caption>
            <thead>
              <tr><th scope="col">Title</th><th scope="col">Observables</th><th scope="col">Texts</th><th scope="col">Changed</th><th scope="col">By</th></tr>
            </thead>
            <tbody>
              {casebooks.map((c) => (
                <tr key={c.id} className={selected === casebookId(c.id) ? 'selected' : undefined}>
                  <td className="title"><button type="button" className="link" data-casebook-id={casebookId(c.id)} onClick={() => open(casebookId(c.id))}>{titleOf(c)}</button></td>
                  <td className="num">{c.observables?.length ?? 0}</td>
                  <td className="num">{c.texts?.length ?? 0}</td>
                  <td>{when(c.modified)}</td>
                  <td>{c.owner ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {total !== null && total > PAGE && (
        <nav className="pager" aria-label="Pages of casebooks">
          <button type="button" className="secondary" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>Previous page</button>
          <button type="button" className="secondary" disabled={offset + PAGE >= total} onClick={() => setOffset(offset + PAGE)}>Next page</button>
        </nav>
      )}
    </div>
  );
}
