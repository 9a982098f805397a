// Console users of the org, for admins: create, change role, reset password, delete.
import type { SessionUser } from '../api';
import { UserCreate } from './UserCreate';
import { UserRow } from './UserRow';
import { dataOf, useLoad } from './moduleLoad';
import { USERS_PATH, type ConsoleUser } from './userApi';
import './Modules.css';

export function Users({ user }: { user: SessionUser }) {
  const { data, error, forbidden, reload } = useLoad(USERS_PATH, dataOf<ConsoleUser>);

  if (forbidden) return <p className="notice" role="status">Only admins can see and manage users.</p>;
  return (
    <div className="admin-page">
      {user.role === 'admin' && <UserCreate onCreated={reload} />}
      {error && <p role="alert" className="error">{error}</p>}
      {!data ? (
        !error && <p className="muted">Loading…</p>
      ) : (
        <div className="table-wrap">
          <table className="admin-table">
            <caption className="visually-hidden">Users</caption>
            <thead>
              <tr><th scope="col">User name</th><th scope="col">Role</th><th scope="col">Created</th><th scope="col">Last sign-in</th><th scope="col">Actions</th></tr>
            </thead>
            <tbody>{data.map((u) => <UserRow key={u.id} u={u} self={u.id === user.id} onChanged={reload} />)}</tbody>
          </table>
        </div>
      )}
    </div>
  );
}
