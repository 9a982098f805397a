// "Add device": makes a one-day registration token and shows what to paste on the sensor.
import { useState } from 'react';
import { send } from '../api';
import { CopyButton } from './CopyButton';

const TOKEN_PATH = '/providers/sse/services/token/api/v2/auth_tokens/registration';
const EXPIRY_SECONDS = 86400;

interface Issued {
  token: string;
  expires_at: string;
}

export function connectorCommand(token: string): string {
  return `threatlink connector --config /etc/threatlink/connector.properties --token ${token}`;
}

export function connectorProperties(host: string): string {
  return [
    'registration_interval=180',
    'connector_port=8989',
    `connector_fqdn=${host}`,
    'data_dir=/var/lib/threatlink/connector',
    'source.suricata.type=eve',
    'source.suricata.path=/var/log/suricata/eve.json',
  ].join('\n');
}

export function AddDevice() {
  const [issued, setIssued] = useState<Issued | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  const make = () => {
    setBusy(true);
    setError('');
    send<Issued>('POST', TOKEN_PATH, { expiry: EXPIRY_SECONDS })
      .then(setIssued, (err: Error) => setError(err.message))
      .finally(() => setBusy(false));
  };

  const command = issued ? connectorCommand(issued.token) : '';
  const properties = connectorProperties(location.host);

  return (
    <section className="add-device" aria-labelledby="add-device-title">
      <div className="bar">
        <h2 id="add-device-title">Add device</h2>
        <button type="button" onClick={make} disabled={busy}>{issued ? 'Make another token' : 'Add device'}</button>
        {issued && <button type="button" className="secondary" onClick={() => setIssued(null)}>Done</button>}
      </div>
      {error && <p role="alert" className="error">{error}</p>}
      {issued && (
        <div className="enroll">
          <p>
            A registration token for one device, valid until {new Date(issued.expires_at).toLocaleString()}.
            It is shown only now.
          </p>
          <h3 id="token-title">Registration token</h3>
          <div className="snippet">
            <pre aria-labelledby="token-title"><code data-testid="registration-token">{issued.token}</code></pre>
            <CopyButton text={issued.token} label="Copy token" />
          </div>
          <h3 id="props-title">/etc/threatlink/connector.properties</h3>
          <div className="snippet">
            <pre aria-labelledby="props-title"><code>{properties}</code></pre>
            <CopyButton text={properties + '\n'} label="Copy connector.properties" />
          </div>
          <h3 id="command-title">On the sensor, run once</h3>
          <div className="snippet">
            <pre aria-labelledby="command-title"><code>{command}</code></pre>
            <CopyButton text={command} label="Copy command" />
          </div>
          <p className="hint">The sensor must trust this exchange: the token carries the CA fingerprint it checks.</p>
        </div>
      )}
    </section>
  );
}
