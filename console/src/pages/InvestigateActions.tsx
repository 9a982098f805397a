// The response actions modules offer for one observable (block, unblock on the sensors, or a
// relay module's own), and once triggered, how far each got: per device for the sensors'
// actions, polled until every device has acknowledged or refused.
import { useEffect, useState } from 'react';
import { get, send } from '../api';

export interface OfferedAction {
  id: string;
  title: string;
  module: string;
  module_name: string;
  module_instance_id: string;
  'query-params': Record<string, string>;
}

interface Delivery { device_id: string; state: 'pending' | 'sent' | 'ok' | 'error'; detail: string | null }
interface DeviceAction { id: string; devices: Delivery[] }
interface TriggerAnswer { data: { status: 'success' | 'failure'; detail?: string; action_id?: string }; errors?: Array<{ message: string }> }

const POLL_MS = 1500;

const STATE_TEXT: Record<Delivery['state'], string> = {
  pending: 'waiting for the device to connect', sent: 'sent, not yet acknowledged', ok: 'acknowledged', error: 'refused',
};

const settled = (a: DeviceAction) => a.devices.every((d) => d.state === 'ok' || d.state === 'error');


function Triggered({ title, answer, deviceName }: { title: string; answer: TriggerAnswer; deviceName: (id: string) => string }) {
  const actionId = answer.data.action_id ?? null;
  const [action, setAction] = useState<DeviceAction | null>(null);
  const [error, setError] = useState('');

  useEffect(() => {
    if (!actionId) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let live = true;
    const poll = () => get<DeviceAction>(`/api/v1/response-actions/${encodeURIComponent(actionId)}`).then(
      (a) => { if (!live) return; setAction(a); setError(''); if (!settled(a)) timer = setTimeout(poll, POLL_MS); },
      (err: Error) => { if (!live) return; setError(err.message); timer = setTimeout(poll, POLL_MS); },
    );
    void poll();
    return () => { live = false; clearTimeout(timer); };
  }, [actionId]);

  if (answer.data.status === 'failure') {
    return <p role="status" className="inv-action-result error">{title}: failed: {answer.errors?.[0]?.message ?? answer.data.detail ?? 'no reason given'}</p>;
  }
  return (
    <div role="status" className="inv-action-result" aria-label={`${title}: delivery`}>
      <span>{title}: {actionId ? 'sent to the sensors' : (answer.data.detail ?? 'done')}</span>
      {action && (
        <ul>
          {action.devices.map((d) => (
            <li key={d.device_id} data-device={d.device_id} data-state={d.state} className={`inv-delivery-${d.state}`}>
              {deviceName(d.device_id)}: {STATE_TEXT[d.state]}{d.detail ? ` (${d.detail})` : ''}
            </li>
          ))}
        </ul>
      )}
      {error && <span className="error">{error}</span>}
    </div>
  );
}

export function InvestigateActions({ value, offered, deviceName }: { value: string; offered: OfferedAction[]; deviceName: (id: string) => string }) {
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<Array<{ key: number; title: string; answer: TriggerAnswer }>>([]);
  const [error, setError] = useState('');

  const trigger = (a: OfferedAction) => {
    setBusy(true);
    setError('');
    const q = new URLSearchParams(a['query-params']);
    send<TriggerAnswer>('POST', `/iroh/iroh-response/respond/trigger/${encodeURIComponent(a.module_instance_id)}/${encodeURIComponent(a.id)}?${q}`)
      .then((answer) => setDone((cur) => [{ key: Date.now(), title: `${a.title} ${value}`, answer }, ...cur]), (err: Error) => setError(err.message))
      .finally(() => setBusy(false));
  };

  if (offered.length === 0) return <span className="muted-inline">none offered</span>;
  return (
    <div className="inv-actions">
      <div className="actions">
        {offered.map((a) => (
          <button key={`${a.module_instance_id}/${a.id}`} type="button" className="secondary" disabled={busy} onClick={() => trigger(a)}
            aria-label={`${a.title} ${value} (${a.module_name})`}>{a.title}</button>
        ))}
      </div>
      {error && <p role="alert" className="error">{error}</p>}
      {done.map((d) => <Triggered key={d.key} title={d.title} answer={d.answer} deviceName={deviceName} />)}
    </div>
  );
}
