// One device: its health, and for admins the cloud events switch, rename and delete.
import { useState, type FormEvent } from 'react';
import { send } from '../api';

export interface Device {
  id: string;
  name: string;
  hostname: string;
  version: string;
  connected: boolean;
  connection_state: 'connected' | 'disconnected' | 'never';
  state_since: string;
  last_seen: string | null;
  last_error: { message: string; time: string } | null;
  events_received: number;
  events_rejected: number;
  cloud_events: boolean;
  status: { spool_depth?: number; version?: string } | null;
}

export const when = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' }) : '—');

const path = (d: Device) => `/api/v1/devices/${encodeURIComponent(d.id)}`;

function Connection({ d }: { d: Device }) {
  if (d.connection_state === 'never') return <span className="state state-never">never connected</span>;
  const label = d.connection_state === 'connected' ? 'connected' : 'disconnected';
  return (
    <>
      <span className={`state state-${d.connection_state}`}>{label}</span>
      <span className="since sub"> since {when(d.state_since)}</span>
    </>
  );
}

export function DeviceRow({ d, admin, onChanged }: { d: Device; admin: boolean; onChanged: (d: Device | null) => void }) {
  const [mode, setMode] = useState<'view' | 'rename' | 'delete'>('view');
  const [name, setName] = useState(d.name);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  const run = (p: Promise<Device | null>) => {
    setBusy(true);
    setError('');
    p.then((next) => { setMode('view'); onChanged(next); }, (err: Error) => setError(err.message)).finally(() => setBusy(false));
  };

  const toggle = () => run(send<Device>('PATCH', path(d), { cloud_events: !d.cloud_events }));
  const rename = (e: FormEvent) => {
    e.preventDefault();
    const n = name.trim();
    if (!n || n === d.name) { setMode('view'); return; }
    run(send<Device>('PATCH', path(d), { name: n }));
  };
  const remove = () => run(send('DELETE', path(d)).then(() => null));

  const spool = d.status?.spool_depth;
  return (
    <tr>
      <th scope="row">
        {mode === 'rename' ? (
          <form className="inline" onSubmit={rename}>
            <label className="visually-hidden" htmlFor={`rename-${d.id}`}>New name for {d.name}</label>
            <input id={`rename-${d.id}`} value={name} maxLength={200} required autoFocus onChange={(e) => setName(e.target.value)}
              onKeyDown={(e) => { if (e.key === 'Escape') { setName(d.name); setMode('view'); } }} />
            <button type="submit" disabled={busy}>Save</button>
            <button type="button" className="secondary" onClick={() => { setName(d.name); setMode('view'); }}>Cancel</button>
          </form>
        ) : (
          <>
            <span className="device-name">{d.name}</span>
            <span className="sub">{d.hostname}</span>
          </>
        )}
        {error && <span role="alert" className="error sub">{error}</span>}
      </th>
      <td><Connection d={d} /></td>
      <td>{when(d.last_seen)}</td>
      <td className="last-error">
        {d.last_error ? <><span className="error">{d.last_error.message}</span><span className="sub">{when(d.last_error.time)}</span></> : '—'}
      </td>
      <td className="num">{d.events_received}</td>
      <td className="num">{d.events_rejected}</td>
      <td className="num">{spool ?? '—'}</td>
      <td>{d.status?.version ?? d.version}</td>
      <td>
        {admin ? (
          <button type="button" role="switch" aria-checked={d.cloud_events} className={`switch ${d.cloud_events ? 'on' : 'off'}`}
            aria-label={`Cloud events for ${d.name}`} disabled={busy} onClick={toggle}>
            <span className="knob" aria-hidden="true" />
            <span className="switch-text">{d.cloud_events ? 'on' : 'off'}</span>
          </button>
        ) : (
          <span className={`cloud ${d.cloud_events ? 'on' : 'off'}`}>{d.cloud_events ? 'on' : 'off'}</span>
        )}
      </td>
      {admin && (
        <td>
          <div className="actions">
          {mode === 'delete' ? (
            <span className="confirm" role="group" aria-label={`Confirm deleting ${d.name}`}>
              <span>Delete {d.name}? Its certificate is revoked.</span>
              <button type="button" className="danger" disabled={busy} autoFocus onClick={remove} aria-label={`Yes, delete ${d.name}`}>Delete</button>
              <button type="button" className="secondary" onClick={() => setMode('view')}>Cancel</button>
            </span>
          ) : (
            <>
              <button type="button" className="secondary" onClick={() => { setName(d.name); setMode('rename'); }} aria-label={`Rename ${d.name}`}>Rename</button>
              <button type="button" className="secondary danger-outline" onClick={() => setMode('delete')} aria-label={`Delete ${d.name}`}>Delete</button>
            </>
          )}
          </div>
        </td>
      )}
    </tr>
  );
}
