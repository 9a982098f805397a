// The devices of the org, from the same API the command line uses.
import { useEffect, useState } from 'react';
import { get } from '../api';

interface Device {
  id: string;
  name: string;
  hostname: string;
  version: string;
  connection_state: 'connected' | 'disconnected' | 'never';
  state_since: string;
  last_seen: string | null;
  events_received: number;
  events_rejected: number;
}

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : '—');

export function Devices() {
  const [devices, setDevices] = useState<Device[] | null>(null);
  const [error, setError] = useState('');

  useEffect(() => {
    get<{ data: Device[] }>('/api/v1/devices').then((r) => setDevices(r.data), (err: Error) => setError(err.message));
  }, []);

  if (error) return <p role="alert" className="error">{error}</p>;
  if (!devices) return <p className="muted">Loading…</p>;
  if (devices.length === 0) return <p className="muted">No devices yet.</p>;
  return (
    <div className="table-wrap">
      <table>
        <caption className="visually-hidden">Devices</caption>
        <thead>
          <tr><th scope="col">Name</th><th scope="col">Host</th><th scope="col">Connection</th><th scope="col">Last seen</th><th scope="col">Events in</th><th scope="col">Rejected</th><th scope="col">Version</th></tr>
        </thead>
        <tbody>
          {devices.map((d) => (
            <tr key={d.id}>
              <th scope="row">{d.name}</th>
              <td>{d.hostname}</td>
              <td><span className={`state state-${d.connection_state}`}>{d.connection_state}</span> since {when(d.state_since)}</td>
              <td>{when(d.last_seen)}</td>
              <td>{d.events_received}</td>
              <td>{d.events_rejected}</td>
              <td>{d.version}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
