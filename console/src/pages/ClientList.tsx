// The org's API clients: who may call the API, with which role, and when they last did.
import { useState } from 'react';
import { send } from '../api';
import { ClientCreate } from './ClientCreate';
import { ConfirmDelete } from './ModuleConfirm';
import { CLIENTS_PATH, type ApiClient } from './clientApi';
import { when, type Loaded } from './moduleLoad';

function ClientRow({ c, onChanged }: { c: ApiClient; onChanged: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const remove = () => {
    setBusy(true);
    setError('');
    send('DELETE', `${CLIENTS_PATH}/${encodeURIComponent(c.id)}`).then(onChanged, (err: Error) => setError(err.message)).finally(() => setBusy(false));
  };
  return (
    <tr>
      <th scope="row"><span className="device-name">{c.name}</span>{error && <span role="alert" className="error sub">{error}</span>}</th>
      <td className="wrap-any"><code>{c.id}</code></td>
      <td>{c.role}</td>
      <td>{when(c.created_at)}</td>
      <td>{c.last_used_at ? when(c.last_used_at) : 'never'}</td>
      <td><ConfirmDelete name={c.name} busy={busy} onConfirm={remove} warning="Programs using it lose access at once." /></td>
    </tr>
  );
}

export function ClientList({ clients }: { clients: Loaded<ApiClient[]> }) {
  const { data, error, reload } = clients;
  return (
    <section aria-labelledby="clients-title">
      <h2 id="clients-title">API clients</h2>
      <ClientCreate onCreated={reload} />
      {error && <p role="alert" className="error">{error}</p>}
      {data && (data.length === 0 ? <p className="muted">No API clients.</p> : (
        <div className="table-wrap">
          <table className="admin-table">
            <caption className="visually-hidden">API clients</caption>
            <thead>
              <tr><th scope="col">Name</th><th scope="col">Client ID</th><th scope="col">Role</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col">Actions</th></tr>
            </thead>
            <tbody>{data.map((c) => <ClientRow key={c.id} c={c} onChanged={reload} />)}</tbody>
          </table>
        </div>
      ))}
    </section>
  );
}
