import { useState, type FormEvent } from 'react';
import { signIn, type SessionUser } from './api';

export function SignIn({ onSignedIn, notice, username: knownUser = '', dialog = false }: {
  onSignedIn: (u: SessionUser) => void;
  notice: string;
  /** Who was signed in, when asking again over an ended session. */
  username?: string;
  /** Over the page (an ended session) instead of in its place. */
  dialog?: boolean;
}) {
  const [username, setUsername] = useState(knownUser);
  const [password, setPassword] = useState('');
  const [error, setError] = useState(notice);
  const [busy, setBusy] = useState(false);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    signIn(username, password).then(onSignedIn, (err: Error) => { setError(err.message); setBusy(false); });
  };

  const form = (
    <form onSubmit={submit} aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">threatlink console</h1>
      <label htmlFor="username">User name</label>
      <input id="username" name="username" autoComplete="username" required autoFocus={!knownUser} value={username} onChange={(e) => setUsername(e.target.value)} />
      <label htmlFor="password">Password</label>
      <input id="password" name="password" type="password" autoComplete="current-password" required autoFocus={!!knownUser} value={password} onChange={(e) => setPassword(e.target.value)} />
      {error && <p role="alert" className="error">{error}</p>}
      <button type="submit" disabled={busy}>Sign in</button>
    </form>
  );
  return dialog
    ? <div className="sign-in session-ended" role="dialog" aria-modal="true" aria-labelledby="sign-in-title">{form}</div>
    : <main className="sign-in">{form}</main>;
}
