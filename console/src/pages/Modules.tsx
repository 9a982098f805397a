// The org's response modules: built-in ones, relay modules and feeds, each with its health;
// admins add and edit relay modules, switch modules on and off and delete them.
import { useState } from 'react';
import type { SessionUser } from '../api';
import { ModuleForm } from './ModuleForm';
import { ModuleRow } from './ModuleRow';
import { MODULES_PATH, type ModuleInstance } from './moduleApi';
import { useLoad } from './moduleLoad';
import './Modules.css';

export function Modules({ user }: { user: SessionUser }) {
  const admin = user.role === 'admin';
  const { data: modules, error, reload } = useLoad(MODULES_PATH, (r) => r as ModuleInstance[]);
  // null: no form; 'new': adding; otherwise the instance being edited.
  const [form, setForm] = useState<'new' | ModuleInstance | null>(null);

  const done = () => { setForm(null); reload(); };

  return (
    <div className="admin-page">
      {admin && (form ? (
        <ModuleForm key={form === 'new' ? 'new' : form.id} editing={form === 'new' ? undefined : form} onDone={done} onCancel={() => setForm(null)} />
      ) : (
        <div className="bar"><button type="button" onClick={() => setForm('new')}>Add relay module</button></div>
      ))}
      {error && <p role="alert" className="error">{error}</p>}
      {!modules ? (
        !error && <p className="muted">Loading…</p>
      ) : (
        <div className="table-wrap">
          <table className="admin-table">
            <caption className="visually-hidden">Module instances</caption>
            <thead>
              <tr>
                <th scope="col">Name</th><th scope="col">Kind</th><th scope="col">Target</th><th scope="col">Enabled</th>
                <th scope="col">Health</th>{admin && <th scope="col">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {modules.map((m) => <ModuleRow key={m.id} m={m} admin={admin} onChanged={reload} onEdit={() => setForm(m)} />)}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
