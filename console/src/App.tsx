// Signed out: the sign-in page. Signed in: the layout with the page the address names.
import { useEffect, useState } from 'react';
import { currentUser, signOut, type SessionUser } from './api';
import { SignIn } from './SignIn';
import { Layout } from './Layout';

export function App() {
  const [user, setUser] = useState<SessionUser | null | undefined>(undefined);
  const [error, setError] = useState('');

  useEffect(() => {
    currentUser().then(setUser, (err: Error) => { setError(err.message); setUser(null); });
  }, []);

  if (user === undefined) return <p className="loading">Loading…</p>;
  if (!user) return <SignIn onSignedIn={setUser} notice={error} />;
  return <Layout user={user} onSignOut={() => signOut().finally(() => setUser(null))} />;
}
