// The signed-in frame: header with the user, navigation, and the current page. Navigation uses
// the History API so each page has an address that survives a reload (the server answers every
// /console/ path with the app).
import { useEffect, useState, type MouseEvent } from 'react';
import type { SessionUser } from './api';
import { BASE, NAV, NOT_FOUND, pageOf } from './nav';
import { PAGES } from './routes';
import { NotFound } from './pages/NotFound';

export function Layout({ user, onSignOut }: { user: SessionUser; onSignOut: () => void }) {
  const [page, setPage] = useState(() => pageOf(location.pathname));
  // Bumped by each click in the navigation: clicking the page you are on starts it afresh
  // (Events with an event open goes back to the list), as a link would.
  const [visit, setVisit] = useState(0);

  useEffect(() => {
    const onPop = () => setPage(pageOf(location.pathname));
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);

  useEffect(() => {
    document.title = `${page.label} · threatlink console`;
  }, [page]);

  const Page = (page !== NOT_FOUND && PAGES[page.path]) || NotFound;

  const go = (e: MouseEvent<HTMLAnchorElement>, path: string) => {
    // Let the browser handle new-tab and new-window clicks itself.
    if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
    e.preventDefault();
    history.pushState(null, '', BASE + path);
    setPage(pageOf(BASE + path));
    setVisit((v) => v + 1);
  };

  return (
    <div className="shell">
      <header className="top">
        <span className="brand">threatlink</span>
        <span className="who" aria-label="signed in as">{user.username} <span className="role">{user.role}</span></span>
        <button type="button" onClick={onSignOut}>Sign out</button>
      </header>
      <nav aria-label="Main">
        <ul>
          {NAV.filter((n) => !n.adminOnly || user.role === 'admin').map((n) => (
            <li key={n.path}>
              <a href={BASE + n.path} aria-current={n.path === page.path ? 'page' : undefined} onClick={(e) => go(e, n.path)}>{n.label}</a>
            </li>
          ))}
        </ul>
      </nav>
      <main>
        <h1>{page.label}</h1>
        <Page key={visit} user={user} />
      </main>
    </div>
  );
}
