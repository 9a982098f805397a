// The devices of the org, from the same API the command line uses: health at a glance, refreshed
// every few seconds; admins also switch cloud events, rename, delete and add devices.
import { useCallback, useEffect, useState } from 'react';
import { get, type SessionUser } from '../api';
import { AddDevice } from './AddDevice';
import { DeviceRow, type Device } from './DeviceRow';

const REFRESH_MS = 5000;

export function Devices({ user }: { user: SessionUser }) {
  const admin = user.role === 'admin';
  const [devices, setDevices] = useState<Device[] | null>(null);
  const [error, setError] = useState('');

  const load = useCallback(() => {
    get<{ data: Device[] }>('/api/v1/devices').then((r) => { setDevices(r.data); setError(''); }, (err: Error) => setError(err.message));
  }, []);

  useEffect(() => {
    load();
    const timer = setInterval(load, REFRESH_MS);
    return () => clearInterval(timer);
  }, [load]);

  const changed = (id: string) => (next: Device | null) => {
    setDevices((list) => (list ?? []).flatMap((d) => (d.id !== id ? [d] : next ? [next] : [])));
    load();
  };

  return (
    <div className="devices">
      {admin && <AddDevice />}
      {error && <p role="alert" className="error">{error}</p>}
      {!devices ? (
        !error && <p className="muted">Loading…</p>
      ) : devices.length === 0 ? (
        <p className="muted">No devices yet.{admin ? ' Add one above.' : ''}</p>
      ) : (
        <div className="table-wrap">
          <table className="device-table">
            <caption className="visually-hidden">Devices</caption>
            <thead>
              <tr>
                <th scope="col">Name</th><th scope="col">Connection</th><th scope="col">Last seen</th><th scope="col">Last error</th>
                <th scope="col">Events in</th><th scope="col">Rejected</th><th scope="col">Spool</th><th scope="col">Version</th>
                <th scope="col">Cloud events</th>{admin && <th scope="col">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {devices.map((d) => <DeviceRow key={d.id} d={d} admin={admin} onChanged={changed(d.id)} />)}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
