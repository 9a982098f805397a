// One module instance: what it is and where it points, the enabled switch, a health check, and
// for admins edit (relay modules) and delete. Built-in instances cannot be changed.
import { useState } from 'react';
import { send } from '../api';
import { ConfirmDelete } from './ModuleConfirm';
import { ModuleHealth } from './ModuleHealth';
import { AUTH_TYPES, modulePath, type ModuleInstance } from './moduleApi';

function Target({ m }: { m: ModuleInstance }) {
  if (m.kind === 'relay') {
    const auth = AUTH_TYPES.find((a) => a.value === m.auth.type)?.label ?? m.auth.type;
    return <><span className="wrap-any">{m.url}</span><span className="sub">auth: {auth}</span></>;
  }
  if (m.kind === 'feed') return <span className="wrap-any">{String(m.settings.source ?? '')}</span>;
  return <span className="sub">{m.module_type_id}</span>;
}

export function ModuleRow({ m, admin, onChanged, onEdit }: { m: ModuleInstance; admin: boolean; onChanged: () => void; onEdit: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const changeable = admin && !m.builtin;

  const run = (p: Promise<unknown>) => {
    setBusy(true);
    setError('');
    p.then(onChanged, (err: Error) => setError(err.message)).finally(() => setBusy(false));
  };

  return (
    <tr>
      <th scope="row">
        <span className="device-name">{m.name}</span>
        {m.builtin && <span className="badge">built-in</span>}
        {error && <span role="alert" className="error sub">{error}</span>}
      </th>
      <td>{m.kind}</td>
      <td className="target"><Target m={m} /></td>
      <td>
        {changeable ? (
          <button type="button" role="switch" aria-checked={m.enabled} className={`switch ${m.enabled ? 'on' : 'off'}`}
            aria-label={`Enabled: ${m.name}`} disabled={busy} onClick={() => run(send('PATCH', modulePath(m.id), { enabled: !m.enabled }))}>
            <span className="knob" aria-hidden="true" />
            <span className="switch-text">{m.enabled ? 'on' : 'off'}</span>
          </button>
        ) : (
          <span className={`cloud ${m.enabled ? 'on' : 'off'}`}>{m.enabled ? 'on' : 'off'}</span>
        )}
      </td>
      <td><ModuleHealth id={m.id} name={m.name} /></td>
      {admin && (
        <td>
          {changeable && (
            <div className="actions">
              {m.kind === 'relay' && <button type="button" className="secondary" onClick={onEdit} aria-label={`Edit ${m.name}`}>Edit</button>}
              <ConfirmDelete name={m.name} busy={busy} onConfirm={() => run(send('DELETE', modulePath(m.id)))} />
            </div>
          )}
        </td>
      )}
    </tr>
  );
}
