// Threat-intel feeds: the org's module instances of kind `feed`, with what each holds (from its
// health). Admins add and delete them. The API has no "read the source now": a feed is read
// when added and then every refresh interval, so "Check now" asks only for its health.
import { useState } from 'react';
import type { SessionUser } from '../api';
import { FeedForm } from './FeedForm';
import { FeedRow } from './FeedRow';
import { MODULES_PATH, type ModuleInstance } from './moduleApi';
import { useLoad } from './moduleLoad';
import './Modules.css';

export function Feeds({ user }: { user: SessionUser }) {
  const admin = user.role === 'admin';
  const { data, error, reload } = useLoad(MODULES_PATH, (r) => (r as ModuleInstance[]).filter((m) => m.kind === 'feed'));
  const [adding, setAdding] = useState(false);

  return (
    <div className="admin-page">
      {admin && (adding ? (
        <FeedForm onDone={() => { setAdding(false); reload(); }} onCancel={() => setAdding(false)} />
      ) : (
        <div className="bar"><button type="button" onClick={() => setAdding(true)}>Add feed</button></div>
      ))}
      {error && <p role="alert" className="error">{error}</p>}
      {!data ? (
        !error && <p className="muted">Loading…</p>
      ) : data.length === 0 ? (
        <p className="muted">No feeds yet.{admin ? ' Add one above.' : ''}</p>
      ) : (
        <div className="table-wrap">
          <table className="admin-table">
            <caption className="visually-hidden">Feeds</caption>
            <thead>
              <tr>
                <th scope="col">Name</th><th scope="col">Source</th><th scope="col">Format</th><th scope="col">Refresh</th>
                <th scope="col">Indicators</th><th scope="col">Last read</th><th scope="col">Last error</th><th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {data.map((m) => <FeedRow key={m.id} m={m} admin={admin} onChanged={reload} />)}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
