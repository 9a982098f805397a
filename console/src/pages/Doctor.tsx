// Each device's diagnostics as the exchange sees them. The address holds the device
// (/console/doctor/{id}), so a link from elsewhere opens it; everything refreshes every few
// seconds.
import { useCallback, useEffect, useState, type MouseEvent } from 'react';
import { get, type SessionUser } from '../api';
import { BASE } from '../nav';
import { DoctorDevice } from './DoctorDevice';
import type { DoctorDevice as Device } from './doctorText';
import './Doctor.css';

const REFRESH_MS = 4000;
const PREFIX = `${BASE}doctor/`;

const idFrom = (pathname: string) => {
  const rest = pathname.startsWith(PREFIX) ? pathname.slice(PREFIX.length).split('/')[0] : '';
  return rest ? decodeURIComponent(rest) : null;
};

const stateOf = (d: Device) => (d.connected ? 'connected' : d.connection_state === 'never' ? 'never' : 'disconnected');
const STATE_TEXT = { connected: 'connected', disconnected: 'disconnected', never: 'never connected' } as const;

export function Doctor(_props: { user: SessionUser }) {
  const [devices, setDevices] = useState<Device[] | null>(null);
  const [selected, setSelected] = useState<string | null>(() => idFrom(location.pathname));
  const [tick, setTick] = useState(0);
  const [error, setError] = useState('');

  const load = useCallback(() => {
    get<{ data: Device[] }>('/api/v1/devices').then((r) => { setDevices(r.data); setError(''); }, (err: Error) => setError(err.message));
    setTick((n) => n + 1);
  }, []);

  useEffect(() => {
    load();
    const timer = setInterval(load, REFRESH_MS);
    return () => clearInterval(timer);
  }, [load]);

  useEffect(() => {
    const onPop = () => { if (location.pathname.startsWith(`${BASE}doctor`)) setSelected(idFrom(location.pathname)); };
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);

  const pick = (e: MouseEvent<HTMLAnchorElement>, id: string) => {
    if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
    e.preventDefault();
    history.pushState(null, '', PREFIX + encodeURIComponent(id));
    setSelected(id);
  };

  const chosen = devices?.find((d) => d.id === selected);
  return (
    <div className="doctor-page">
      {error && <p role="alert" className="error">{error}</p>}
      <nav className="doctor-picker" aria-label="Devices to diagnose">
        {!devices ? (!error && <p className="muted">Loading…</p>) : devices.length === 0 ? <p className="muted">No devices yet.</p> : (
          <ul>
            {devices.map((d) => (
              <li key={d.id}>
                <a href={PREFIX + encodeURIComponent(d.id)} aria-current={d.id === selected ? 'page' : undefined} onClick={(e) => pick(e, d.id)}
                  aria-label={`${d.name}, ${STATE_TEXT[stateOf(d)]}`}>
                  <span className={`dot dot-${stateOf(d)}`} aria-hidden="true" />
                  <span className="picker-name">{d.name}</span>
                </a>
              </li>
            ))}
          </ul>
        )}
      </nav>
      {chosen ? <DoctorDevice key={chosen.id} d={chosen} tick={tick} />
        : devices && (selected
          ? <p className="muted" role="alert">No device {selected} in this org: it may have been deleted.</p>
          : devices.length > 0 && <p className="muted">Choose a device to see its diagnostics.</p>)}
    </div>
  );
}
