// One device through the exchange's eyes: the verdict first, then the last error with its known
// fault, the counters, the facts that explain them, the doctor command for the sensor host, and
// the connection history. Reloads its history and diagnosis whenever the page's tick moves.
import { Fragment, useEffect, useState } from 'react';
import { get } from '../api';
import { when } from './DeviceRow';
import { CopyButton } from './CopyButton';
import { DoctorHistory } from './DoctorHistory';
import { doctorCommand, expiry, verdict, type Connection, type Diagnosis, type DoctorDevice as Device } from './doctorText';

const HISTORY_ROWS = 20;

/** What the heartbeat's counters are called on the page, in the order the events travel. */
const HEARTBEAT_COUNTERS: ReadonlyArray<[string, string]> = [
  ['read', 'Read from the sensor'], ['sent', 'Sent'], ['acked', 'Acked'],
  ['rejected_local', 'Rejected on the device'], ['dropped', 'Dropped (spool full)'],
];

export function DoctorDevice({ d, tick }: { d: Device; tick: number }) {
  const [history, setHistory] = useState<Connection[] | null>(null);
  const [diagnosis, setDiagnosis] = useState<Diagnosis | null>(null);
  const [error, setError] = useState('');

  useEffect(() => {
    let current = true;
    const base = `/api/v1/devices/${encodeURIComponent(d.id)}`;
    Promise.all([
      get<{ data: Connection[] }>(`${base}/connections?limit=${HISTORY_ROWS}`),
      get<Diagnosis>(`${base}/diagnosis`),
    ]).then(([h, g]) => {
      if (!current) return;
      setHistory(h.data);
      setDiagnosis(g);
      setError('');
    }, (err: Error) => { if (current) setError(err.message); });
    return () => { current = false; };
  }, [d.id, tick]);

  const v = verdict(d, history?.find((c) => !c.open));
  const lastError = diagnosis?.last_error ?? (d.last_error ? { ...d.last_error, explanation: null } : null);
  // Known only for a connector inside the exchange's process; any other gets the usual path.
  const local = diagnosis?.connector ?? null;
  const command = doctorCommand(local?.config_file);
  const counters = d.status?.counters ?? {};
  const spool = d.status?.spool_depth;

  return (
    <section className="doctor-device" aria-labelledby="doctor-device-name">
      <h2 id="doctor-device-name">{d.name} <span className="sub">{d.hostname} · {d.id}</span></h2>
      <p className={`verdict verdict-${v.tone}`} aria-live="polite" data-testid="verdict">{v.text}</p>
      {error && <p role="alert" className="error">{error}</p>}

      {lastError && (
        <div className="doctor-card doctor-error">
          <h3>Last error <span className="sub">{when(lastError.time)}</span></h3>
          <p className="error message">{lastError.message}</p>
          {lastError.explanation ? (
            <dl className="explain">
              <dt>What it means</dt><dd>{lastError.explanation.meaning}</dd>
              <dt>What to do</dt><dd>{lastError.explanation.remedy}</dd>
            </dl>
          ) : diagnosis && <p className="hint">Not a fault the doctor knows by name: run the doctor on the sensor host (below).</p>}
        </div>
      )}

      <div className="doctor-grid">
        <div className="doctor-card">
          <h3>Counters</h3>
          <dl className="facts">
            <dt>Events in</dt><dd>{d.events_received}</dd>
            <dt>Rejected</dt><dd>{d.events_rejected}</dd>
            <dt>Spool depth</dt><dd>{spool ?? '—'}</dd>
            {d.status?.spool_bytes !== undefined && <><dt>Spool bytes</dt><dd>{d.status.spool_bytes}</dd></>}
            {HEARTBEAT_COUNTERS.filter(([k]) => counters[k] !== undefined).map(([k, label]) => (
              <Fragment key={k}><dt>{label}</dt><dd>{counters[k]}</dd></Fragment>
            ))}
          </dl>
          {!d.status && <p className="hint">No heartbeat yet: the device's own counters come with its first.</p>}
        </div>
        <div className="doctor-card">
          <h3>Device</h3>
          <dl className="facts">
            <dt>Certificate expires</dt><dd>{diagnosis ? (diagnosis.certificate ? expiry(diagnosis.certificate.not_after) : 'none in use') : '…'}</dd>
            <dt>Cloud events</dt><dd className={`cloud ${d.cloud_events ? 'on' : 'off'}`}>{d.cloud_events ? 'on' : 'off'}</dd>
            <dt>Version</dt><dd>{d.status?.version ?? d.version}</dd>
            <dt>Remote address</dt><dd>{d.remote_address ?? '—'}</dd>
            <dt>Last seen</dt><dd>{when(d.last_seen)}</dd>
          </dl>
        </div>
      </div>

      <div className="doctor-card">
        {local?.embedded_in ? (
          <>
            <h3>Where <code>{local.embedded_in}</code> runs</h3>
            <p className="hint" data-testid="doctor-embedded">
              This device's connector runs inside <code>{local.embedded_in}</code>, reading {local.config_file}. To restart
              it, restart <code>{local.embedded_in}</code> (stop it, then start it again): <code>threatlink service</code> does
              not manage it. On that host, this checks its config, sockets, DNS, TLS path and log, and names the fault and its fix:
            </p>
          </>
        ) : (
          <>
            <h3>On the sensor host</h3>
            <p className="hint">The exchange cannot see the device's config, sockets, DNS, TLS path or log. This checks them all and names the fault and its fix:</p>
          </>
        )}
        {/* Not before the diagnosis says which config: a wrong path shown first would be copied. */}
        {diagnosis || error ? (
          <div className="snippet">
            <pre data-testid="doctor-command">{command}</pre>
            <CopyButton text={command} label="Copy doctor command" />
          </div>
        ) : <p className="muted">Loading…</p>}
      </div>

      <h3>Connection history</h3>
      {history ? <DoctorHistory name={d.name} rows={history} /> : !error && <p className="muted">Loading…</p>}
    </section>
  );
}
