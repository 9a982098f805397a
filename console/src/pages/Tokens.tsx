// Registration tokens of the org (made by "Add device" on the Devices page): which are still
// good, until when, how many enrollments they have left; admins revoke the ones still usable.
import { useState } from 'react';
import { send } from '../api';
import { ConfirmDelete } from './ModuleConfirm';
import { TOKENS_PATH, type RegistrationToken } from './clientApi';
import { when, type Loaded } from './moduleLoad';

function state(t: RegistrationToken): 'revoked' | 'expired' | 'used' | 'usable' {
  if (t.revoked) return 'revoked';
  if (Date.parse(t.expires_at) <= Date.now()) return 'expired';
  return t.uses >= t.uses_allowed ? 'used' : 'usable';
}

function TokenRow({ t, onChanged }: { t: RegistrationToken; onChanged: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const s = state(t);
  const revoke = () => {
    setBusy(true);
    setError('');
    send('DELETE', `${TOKENS_PATH}/${encodeURIComponent(t.id)}`).then(onChanged, (err: Error) => setError(err.message)).finally(() => setBusy(false));
  };
  return (
    <tr>
      <th scope="row"><code>{t.id}</code>{error && <span role="alert" className="error sub">{error}</span>}</th>
      <td>{t.device_id ?? 'any'}</td>
      <td>{when(t.created_at)}</td>
      <td>{when(t.expires_at)}</td>
      <td className="num">{t.uses} / {t.uses_allowed}</td>
      <td><span className={s === 'usable' ? 'health-ok' : 'muted-text'}>{s === 'used' ? 'used up' : s}</span></td>
      <td>{s === 'usable' && <ConfirmDelete verb="Revoke" name={`token ${t.id}`} busy={busy} onConfirm={revoke} warning="No device can enroll with it any more." />}</td>
    </tr>
  );
}

export function TokenList({ tokens }: { tokens: Loaded<RegistrationToken[]> }) {
  const { data, error, reload } = tokens;
  return (
    <section aria-labelledby="tokens-title">
      <h2 id="tokens-title">Registration tokens</h2>
      <p className="hint">Devices enroll with these once. Make a new one with "Add device" on the Devices page.</p>
      {error && <p role="alert" className="error">{error}</p>}
      {data && (data.length === 0 ? <p className="muted">No registration tokens.</p> : (
        <div className="table-wrap">
          <table className="admin-table">
            <caption className="visually-hidden">Registration tokens</caption>
            <thead>
              <tr><th scope="col">Token ID</th><th scope="col">Device</th><th scope="col">Created</th><th scope="col">Expires</th><th scope="col">Uses</th><th scope="col">State</th><th scope="col">Actions</th></tr>
            </thead>
            <tbody>{data.map((t) => <TokenRow key={t.id} t={t} onChanged={reload} />)}</tbody>
          </table>
        </div>
      ))}
    </section>
  );
}
