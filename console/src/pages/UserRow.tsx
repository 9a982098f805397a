// One console user: role change, password reset and delete, for every user but yourself (the
// server refuses those too: an org must keep an admin who can undo them).
import { useId, useState, type FormEvent } from 'react';
import { send } from '../api';
import { ConfirmDelete } from './ModuleConfirm';
import { ROLES, type Role } from './clientApi';
import { when } from './moduleLoad';
import { MIN_PASSWORD, userPath, type ConsoleUser } from './userApi';

export function UserRow({ u, self, onChanged }: { u: ConsoleUser; self: boolean; onChanged: () => void }) {
  const f = useId();
  const [role, setRole] = useState<Role>(u.role);
  const [resetting, setResetting] = useState(false);
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [said, setSaid] = useState('');

  const run = (p: Promise<unknown>, done: string) => {
    setBusy(true);
    setError('');
    setSaid('');
    p.then(() => { setSaid(done); onChanged(); }, (err: Error) => setError(err.message)).finally(() => setBusy(false));
  };

  const saveRole = (e: FormEvent) => {
    e.preventDefault();
    run(send('PATCH', userPath(u.id), { role }), `Role is now ${role}.`);
  };
  const reset = (e: FormEvent) => {
    e.preventDefault();
    run(send('PATCH', userPath(u.id), { password }).then(() => { setResetting(false); setPassword(''); }), 'Password changed; their sessions have ended.');
  };

  return (
    <tr>
      <th scope="row">
        <span className="device-name">{u.username}</span>{self && <span className="badge">you</span>}
        {error && <span role="alert" className="error sub">{error}</span>}
        <span role="status" className="sub">{said}</span>
      </th>
      <td>
        {self ? u.role : (
          <form className="inline" onSubmit={saveRole}>
            <label className="visually-hidden" htmlFor={`${f}-role`}>Role of {u.username}</label>
            <select id={`${f}-role`} value={role} onChange={(e) => setRole(e.target.value as Role)}>
              {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
            </select>
            {role !== u.role && <button type="submit" disabled={busy} aria-label={`Save role of ${u.username}`}>Save</button>}
          </form>
        )}
      </td>
      <td>{when(u.created_at)}</td>
      <td>{u.last_login_at ? when(u.last_login_at) : 'never'}</td>
      <td>
        {!self && (
          <div className="actions">
            {resetting ? (
              <form className="inline" onSubmit={reset}>
                <label className="visually-hidden" htmlFor={`${f}-pw`}>New password for {u.username}</label>
                <input id={`${f}-pw`} type="password" autoComplete="new-password" required minLength={MIN_PASSWORD} maxLength={1024} autoFocus
                  placeholder={`at least ${MIN_PASSWORD} characters`} value={password} onChange={(e) => setPassword(e.target.value)}
                  onKeyDown={(e) => { if (e.key === 'Escape') setResetting(false); }} />
                <button type="submit" disabled={busy}>Set password</button>
                <button type="button" className="secondary" onClick={() => setResetting(false)}>Cancel</button>
              </form>
            ) : (
              <button type="button" className="secondary" onClick={() => setResetting(true)} aria-label={`Reset password of ${u.username}`}>Reset password</button>
            )}
            <ConfirmDelete name={u.username} busy={busy} onConfirm={() => run(send('DELETE', userPath(u.id)), '')} />
          </div>
        )}
      </td>
    </tr>
  );
}
