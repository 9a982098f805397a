// An admin creates a console user with a first password and a role.
import { useId, useState, type FormEvent } from 'react';
import { send } from '../api';
import { ROLES } from './clientApi';
import { MIN_PASSWORD, USERS_PATH } from './userApi';

export function UserCreate({ onCreated }: { onCreated: () => void }) {
  const f = useId();
  const [open, setOpen] = useState(false);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState('read-only');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    send('POST', USERS_PATH, { username: username.trim(), password, role })
      .then(() => { setOpen(false); setUsername(''); setPassword(''); onCreated(); }, (err: Error) => setError(err.message))
      .finally(() => setBusy(false));
  };

  if (!open) return <div className="bar"><button type="button" onClick={() => setOpen(true)}>Create user</button></div>;

  return (
    <form className="admin-form" onSubmit={submit} aria-label="Create user">
      <h2>Create user</h2>
      <div className="fields">
        <label htmlFor={`${f}-name`}>User name</label>
        <input id={`${f}-name`} value={username} required maxLength={64} pattern="[A-Za-z0-9._@\-]+" autoComplete="off"
          title="letters, digits and . _ @ -" onChange={(e) => setUsername(e.target.value)} />
        <label htmlFor={`${f}-password`}>Password</label>
        <input id={`${f}-password`} type="password" value={password} required minLength={MIN_PASSWORD} maxLength={1024} autoComplete="new-password"
          aria-describedby={`${f}-pwhint`} onChange={(e) => setPassword(e.target.value)} />
        <label htmlFor={`${f}-role`}>Role</label>
        <select id={`${f}-role`} value={role} onChange={(e) => setRole(e.target.value)}>
          {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
        </select>
      </div>
      <p className="hint" id={`${f}-pwhint`}>At least {MIN_PASSWORD} characters. Give it to the user over a safe channel.</p>
      {error && <p role="alert" className="error">{error}</p>}
      <div className="actions">
        <button type="submit" disabled={busy}>Create</button>
        <button type="button" className="secondary" onClick={() => setOpen(false)}>Cancel</button>
      </div>
    </form>
  );
}
