// Signed out: the sign-in page. Signed in: the layout with the page the address names. When the
// session ends under an open page, signing in again is asked over it, so the page (and what was
// typed into it) is still there for the same user to carry on.
import { useEffect, useState } from 'react';
import { currentUser, onSessionEnded, signOut, type SessionUser } from './api';
import { SignIn } from './SignIn';
import { Layout } from './Layout';

const ENDED = 'Your session has ended. Sign in again to carry on where you were.';

export function App() {
  const [user, setUser] = useState<SessionUser | null | undefined>(undefined);
  const [error, setError] = useState('');
  const [ended, setEnded] = useState(false);
  // Bumped when someone else signs in over an ended session: their pages start afresh.
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    currentUser().then(setUser, (err: Error) => { setError(err.message); setUser(null); });
  }, []);
  useEffect(() => onSessionEnded(() => setEnded(true)), []);

  const signedIn = (u: SessionUser) => {
    if (user && u.id !== user.id) setGeneration((g) => g + 1);
    setError('');
    setEnded(false);
    setUser(u);
  };
  const signedOut = () => {
    setEnded(false);
    setUser(null);
  };

  if (user === undefined) return <p className="loading">Loading…</p>;
  if (!user) return <SignIn onSignedIn={signedIn} notice={error} />;
  return (
    <>
      <div className="app-frame" inert={ended}>
        <Layout key={generation} user={user} onSignOut={() => signOut().finally(signedOut)} />
      </div>
      {ended && <SignIn onSignedIn={signedIn} notice={ENDED} username={user.username} dialog />}
    </>
  );
}
