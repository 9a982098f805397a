// Creating an API client. Its secret exists in clear only in this answer (the server keeps a
// hash), so it is shown once, with a copy button and a warning, until the admin says done.
import { useId, useState, type FormEvent } from 'react';
import { send } from '../api';
import { CopyButton } from './CopyButton';
import { CLIENTS_PATH, ROLES, type ApiClient } from './clientApi';

type Created = ApiClient & { client_id: string; client_secret: string };

export function ClientCreate({ onCreated }: { onCreated: () => void }) {
  const f = useId();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [role, setRole] = useState('read-only');
  const [created, setCreated] = useState<Created | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    send<Created>('POST', CLIENTS_PATH, { name: name.trim(), role })
      .then((c) => { setCreated(c); setOpen(false); setName(''); onCreated(); }, (err: Error) => setError(err.message))
      .finally(() => setBusy(false));
  };

  if (created) {
    return (
      <div className="admin-panel" role="region" aria-labelledby={`${f}-made`}>
        <h2 id={`${f}-made`}>API client {created.name} created</h2>
        <p className="secret-warning">Copy the secret now: you will not see it again.</p>
        <dl className="admin-facts">
          <dt>Client ID</dt><dd><code data-testid="client-id">{created.client_id}</code></dd>
          <dt>Role</dt><dd>{created.role}</dd>
        </dl>
        <h3 id={`${f}-secret`}>Client secret</h3>
        <div className="snippet">
          <pre aria-labelledby={`${f}-secret`}><code data-testid="client-secret">{created.client_secret}</code></pre>
          <CopyButton text={created.client_secret} label="Copy client secret" />
        </div>
        <p className="hint">Exchange the ID and secret for an access token at /iroh/oauth2/token (OAuth2 client credentials).</p>
        <button type="button" onClick={() => setCreated(null)}>Done, I have copied it</button>
      </div>
    );
  }

  if (!open) return <div className="bar"><button type="button" onClick={() => setOpen(true)}>Create API client</button></div>;

  return (
    <form className="admin-form" onSubmit={submit} aria-label="Create API client">
      <h2>Create API client</h2>
      <div className="fields">
        <label htmlFor={`${f}-name`}>Name</label>
        <input id={`${f}-name`} value={name} required maxLength={200} onChange={(e) => setName(e.target.value)} />
        <label htmlFor={`${f}-role`}>Role</label>
        <select id={`${f}-role`} value={role} onChange={(e) => setRole(e.target.value)}>
          {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
        </select>
      </div>
      {error && <p role="alert" className="error">{error}</p>}
      <div className="actions">
        <button type="submit" disabled={busy}>Create</button>
        <button type="button" className="secondary" onClick={() => setOpen(false)}>Cancel</button>
      </div>
    </form>
  );
}
