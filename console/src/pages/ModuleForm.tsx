// Adding or editing a relay module: its URL, its auth kind with the secret that kind needs
// (docs/modules.md), the verbs it implements, a private CA and the call deadline. The shared
// key is never sent back by the server, so editing leaves it as it is unless a new one is typed.
import { useId, useState, type FormEvent } from 'react';
import { send } from '../api';
import { AUTH_TYPES, MODULES_PATH, modulePath, type AuthType, type ModuleInstance } from './moduleApi';

const CAPABILITIES = ['observe', 'deliberate', 'refer', 'respond'] as const;
const DEFAULT_TIMEOUT_S = 15;

function initialCapabilities(m?: ModuleInstance): string[] {
  const c = m?.settings.capabilities;
  return Array.isArray(c) ? c.filter((x): x is string => typeof x === 'string') : [...CAPABILITIES];
}

export function ModuleForm({ editing, onDone, onCancel }: { editing?: ModuleInstance; onDone: () => void; onCancel: () => void }) {
  const f = useId();
  const [name, setName] = useState(editing?.name ?? '');
  const [url, setUrl] = useState(editing?.url ?? '');
  const [authType, setAuthType] = useState<AuthType>(editing?.auth.type ?? 'configuration-token');
  const [key, setKey] = useState('');
  const [apiKey, setApiKey] = useState(typeof editing?.settings.key === 'string' ? editing.settings.key : '');
  const [caps, setCaps] = useState(initialCapabilities(editing));
  const [ca, setCa] = useState(typeof editing?.settings.ca === 'string' ? editing.settings.ca : '');
  const [timeout, setTimeoutS] = useState(String(editing ? editing.timeout_ms / 1000 : DEFAULT_TIMEOUT_S));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  // A key is needed when hs256 is new; an instance that already has one keeps it.
  const keyRequired = authType === 'hs256' && editing?.auth.type !== 'hs256';

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (caps.length === 0) { setError('Choose at least one capability.'); return; }
    const { key: _k, ca: _c, capabilities: _cap, ...otherSettings } = editing?.settings ?? {};
    const settings: Record<string, unknown> = {
      ...otherSettings,
      ...(caps.length < CAPABILITIES.length ? { capabilities: caps } : {}),
      ...(ca.trim() ? { ca: ca.trim() } : {}),
      ...(authType === 'hs256' && apiKey ? { key: apiKey } : {}),
    };
    const authChanged = !editing || authType !== editing.auth.type || key !== '';
    const auth = authType === 'hs256' ? { type: authType, key } : { type: authType };
    const body = { name: name.trim(), url: url.trim(), timeout_ms: Math.round(Number(timeout) * 1000), settings, ...(authChanged ? { auth } : {}) };
    setBusy(true);
    setError('');
    const done = editing ? send('PATCH', modulePath(editing.id), body) : send('POST', MODULES_PATH, { kind: 'relay', ...body });
    done.then(onDone, (err: Error) => setError(err.message)).finally(() => setBusy(false));
  };

  const toggleCap = (c: string) => setCaps((cur) => (cur.includes(c) ? cur.filter((x) => x !== c) : [...cur, c]));
  const title = editing ? `Edit ${editing.name}` : 'Add a relay module';

  return (
    <form className="admin-form" onSubmit={submit} aria-label={title}>
      <h2>{title}</h2>
      <div className="fields">
        <label htmlFor={`${f}-name`}>Name</label>
        <input id={`${f}-name`} value={name} required maxLength={200} onChange={(e) => setName(e.target.value)} />
        <label htmlFor={`${f}-url`}>Module URL</label>
        <input id={`${f}-url`} type="url" value={url} required maxLength={2048} placeholder="https://relay.example:9090/module" onChange={(e) => setUrl(e.target.value)} />
        <label htmlFor={`${f}-auth`}>Authentication</label>
        <select id={`${f}-auth`} value={authType} onChange={(e) => setAuthType(e.target.value as AuthType)}>
          {AUTH_TYPES.map((a) => <option key={a.value} value={a.value}>{a.label}</option>)}
        </select>
        {authType === 'hs256' && (
          <>
            <label htmlFor={`${f}-key`}>Shared key</label>
            <input id={`${f}-key`} type="password" autoComplete="new-password" value={key} required={keyRequired} maxLength={4096}
              placeholder={keyRequired ? '' : 'unchanged'} onChange={(e) => setKey(e.target.value)} />
            <label htmlFor={`${f}-apikey`}>Upstream API key (optional)</label>
            <input id={`${f}-apikey`} type="password" autoComplete="off" value={apiKey} onChange={(e) => setApiKey(e.target.value)} />
          </>
        )}
        <label htmlFor={`${f}-timeout`}>Timeout (seconds)</label>
        <input id={`${f}-timeout`} type="number" min={0.1} max={300} step={0.1} required value={timeout} onChange={(e) => setTimeoutS(e.target.value)} />
      </div>
      <fieldset className="choices">
        <legend>Capabilities</legend>
        {CAPABILITIES.map((c) => (
          <label key={c}><input type="checkbox" checked={caps.includes(c)} onChange={() => toggleCap(c)} /> {c}</label>
        ))}
      </fieldset>
      <div className="fields">
        <label htmlFor={`${f}-ca`}>Private CA (PEM, optional)</label>
        <textarea id={`${f}-ca`} rows={3} value={ca} onChange={(e) => setCa(e.target.value)} />
      </div>
      {authType === 'hs256' && <p className="hint">The module checks a JWT signed with the shared key; its <code>key</code> claim is the upstream API key, or the shared key without one.</p>}
      {authType === 'configuration-token' && <p className="hint">The module checks an RS256 token against this server's /.well-known/jwks.</p>}
      {error && <p role="alert" className="error">{error}</p>}
      <div className="actions">
        <button type="submit" disabled={busy}>{editing ? 'Save' : 'Add module'}</button>
        <button type="button" className="secondary" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}
