// Adding a threat-intel feed (docs/modules.md, `feed`): where it is read from, its format, the
// type of its values, how often it is read again and the disposition of what it lists. A local
// file must lie in the server's feed files directory, which the form names; a path relative to
// it is enough.
import { useEffect, useId, useState, type FormEvent } from 'react';
import { send } from '../api';
import { MODULES_PATH, feedFilesDir } from './moduleApi';

const FORMATS = [
  { value: 'list', label: 'List (one observable a line)' },
  { value: 'csv', label: 'CSV' },
  { value: 'misp', label: 'MISP feed' },
  { value: 'stix2', label: 'STIX 2.1 bundle' },
];
const OBSERVABLE_TYPES = ['ip', 'ipv6', 'domain', 'url', 'email', 'md5', 'sha1', 'sha256', 'mac_address', 'file_name', 'hostname', 'user', 'file_path'];
export const DISPOSITIONS = ['Clean', 'Malicious', 'Suspicious', 'Common', 'Unknown'];
const DEFAULT_REFRESH_S = 3600;

export function FeedForm({ onDone, onCancel }: { onDone: () => void; onCancel: () => void }) {
  const f = useId();
  const [name, setName] = useState('');
  const [source, setSource] = useState('');
  const [format, setFormat] = useState('list');
  const [type, setType] = useState('');
  const [refresh, setRefresh] = useState(String(DEFAULT_REFRESH_S));
  const [disposition, setDisposition] = useState('Malicious');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [filesDir, setFilesDir] = useState<string | null>(null);

  useEffect(() => { feedFilesDir().then(setFilesDir, () => { /* the hint then says it generally */ }); }, []);

  // Only list and CSV values carry no type of their own.
  const typed = format === 'list' || format === 'csv';

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const settings = {
      source: source.trim(), format, refresh_seconds: Number(refresh), disposition,
      ...(typed && type ? { observable_type: type } : {}),
    };
    setBusy(true);
    setError('');
    send('POST', MODULES_PATH, { kind: 'feed', name: name.trim(), settings })
      .then(onDone, (err: Error) => setError(err.message))
      .finally(() => setBusy(false));
  };

  return (
    <form className="admin-form" onSubmit={submit} aria-label="Add a feed">
      <h2>Add a feed</h2>
      <div className="fields">
        <label htmlFor={`${f}-name`}>Name</label>
        <input id={`${f}-name`} value={name} required maxLength={200} onChange={(e) => setName(e.target.value)} />
        <label htmlFor={`${f}-source`}>Source (file path or URL)</label>
        <input id={`${f}-source`} value={source} required aria-describedby={`${f}-source-hint`}
          placeholder={`https://feeds.example/ips.txt or ${filesDir ? 'ips.txt' : '/var/lib/threatlink/feeds/ips.txt'}`} onChange={(e) => setSource(e.target.value)} />
        <p id={`${f}-source-hint`} className="hint field-hint">
          {filesDir
            ? <>A local file must be in <code>{filesDir}</code> on the server (its operator puts it there); give its name or its path under that directory.</>
            : <>A local file must be in the server's feed files directory (<code>&lt;data-dir&gt;/feeds</code>, or <code>up --feed-files-dir</code>).</>}
        </p>
        <label htmlFor={`${f}-format`}>Format</label>
        <select id={`${f}-format`} value={format} onChange={(e) => setFormat(e.target.value)}>
          {FORMATS.map((x) => <option key={x.value} value={x.value}>{x.label}</option>)}
        </select>
        {typed && (
          <>
            <label htmlFor={`${f}-type`}>Observable type</label>
            <select id={`${f}-type`} value={type} onChange={(e) => setType(e.target.value)}>
              <option value="">Detect each value's type</option>
              {OBSERVABLE_TYPES.map((x) => <option key={x} value={x}>{x}</option>)}
            </select>
          </>
        )}
        <label htmlFor={`${f}-refresh`}>Refresh every (seconds)</label>
        <input id={`${f}-refresh`} type="number" min={1} step={1} required value={refresh} onChange={(e) => setRefresh(e.target.value)} />
        <label htmlFor={`${f}-disposition`}>Disposition</label>
        <select id={`${f}-disposition`} value={disposition} onChange={(e) => setDisposition(e.target.value)}>
          {DISPOSITIONS.map((d) => <option key={d} value={d}>{d}</option>)}
        </select>
      </div>
      {format === 'misp' && <p className="hint">For a MISP feed, give its base: the folder or URL holding manifest.json.</p>}
      {error && <p role="alert" className="error">{error}</p>}
      <div className="actions">
        <button type="submit" disabled={busy}>Add feed</button>
        <button type="button" className="secondary" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}
