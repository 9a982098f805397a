// A device's recent connections as the exchange recorded them: when, for how long, how each ended.
import { when } from './DeviceRow';
import { closeText, duration, type Connection } from './doctorText';

export function DoctorHistory({ name, rows }: { name: string; rows: Connection[] }) {
  if (rows.length === 0) return <p className="muted">No connections recorded yet.</p>;
  return (
    <div className="table-wrap" tabIndex={0} role="region" aria-label={`Connection history of ${name}`}>
      <table className="doctor-history">
        <caption className="visually-hidden">Connection history of {name}, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Connected</th><th scope="col">Closed</th><th scope="col">Duration</th><th scope="col">Close reason</th>
            <th scope="col">From</th><th scope="col">Version</th><th scope="col">Events</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((c) => (
            <tr key={c.id} className={c.open ? 'open' : c.closed_by === 'device' && c.close_code === 1000 ? '' : 'abnormal'}>
              <td>{when(c.connected_at)}</td>
              <td>{c.open ? 'open' : when(c.closed_at)}</td>
              <td>{c.open || c.closed_at ? duration(c.connected_at, c.closed_at) : '—'}</td>
              <td className="close-reason">{closeText(c)}</td>
              <td>{c.remote_address}</td>
              <td>{c.version ?? '—'}</td>
              <td className="num">{c.events_received ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
