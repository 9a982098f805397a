// One feed: its settings, and from its health the indicators it holds, when it was last read
// and the last error. A feed not read yet is asked again shortly, so its count appears by itself.
import { useCallback, useEffect, useState } from 'react';
import { send } from '../api';
import { ConfirmDelete } from './ModuleConfirm';
import { checkHealth, modulePath, refreshFeed, type Health, type ModuleInstance } from './moduleApi';
import { when } from './moduleLoad';
import { DISPOSITIONS } from './FeedForm';

const UNREAD_RECHECK_MS = 2000;

interface FeedHealth {
  indicators?: number;
  ranges?: number;
  /** Listed but outside their validity window now (STIX): they match nothing. */
  expired?: number;
  not_yet_valid?: number;
  skipped?: number;
  skipped_entries?: Array<{ at: string; entry: string; reason: string }>;
  last_refresh?: string | null;
  last_error?: { message: string; time: string } | null;
}

function disposition(v: unknown): string {
  if (typeof v === 'number') return DISPOSITIONS[v - 1] ?? String(v);
  return typeof v === 'string' ? v : 'Malicious';
}

function refreshText(v: unknown): string {
  const s = typeof v === 'number' ? v : Number(v ?? 3600);
  return s % 3600 === 0 ? `${s / 3600} h` : s % 60 === 0 ? `${s / 60} min` : `${s} s`;
}

/** What the feed could not read, by line or entry and why: a count alone leaves the admin to
 * open the file and guess. */
function SkippedEntries({ count, entries, feed }: { count: number; entries: NonNullable<FeedHealth['skipped_entries']>; feed: string }) {
  if (entries.length === 0) return <span className="sub">{count} skipped</span>;
  return (
    <details className="skipped sub">
      <summary aria-label={`${count} skipped in ${feed}: show which`}>{count} skipped</summary>
      <ul aria-label={`Skipped in ${feed}`}>
        {entries.map((e, i) => <li key={i}><span className="at">{e.at}</span>: <code className="wrap-any">{e.entry}</code> — {e.reason}</li>)}
        {count > entries.length && <li>… and {count - entries.length} more</li>}
      </ul>
    </details>
  );
}

export function FeedRow({ m, admin, onChanged }: { m: ModuleInstance; admin: boolean; onChanged: () => void }) {
  const [health, setHealth] = useState<Health | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  const check = useCallback(() => { checkHealth(m.id).then(setHealth); }, [m.id]);
  useEffect(check, [check]);

  const h: FeedHealth | null = health?.ok ? (health.data as FeedHealth) : null;
  const unread = h !== null && !h.last_refresh && !h.last_error;
  useEffect(() => {
    if (!unread) return;
    const t = setTimeout(check, UNREAD_RECHECK_MS);
    return () => clearTimeout(t);
  }, [unread, check]);

  const refresh = () => {
    setBusy(true);
    refreshFeed(m.id).then(setHealth).finally(() => setBusy(false));
  };

  const remove = () => {
    setBusy(true);
    setError('');
    send('DELETE', modulePath(m.id)).then(onChanged, (err: Error) => setError(err.message)).finally(() => setBusy(false));
  };

  const s = m.settings;
  return (
    <tr>
      <th scope="row">
        <span className="device-name">{m.name}</span>
        <span className="sub">{disposition(s.disposition)}{m.enabled ? '' : ' · disabled'}</span>
        {error && <span role="alert" className="error sub">{error}</span>}
      </th>
      <td className="target wrap-any">{String(s.source ?? '')}</td>
      <td>{String(s.format ?? '')}{typeof s.observable_type === 'string' && <span className="sub">{s.observable_type}</span>}</td>
      <td>{refreshText(s.refresh_seconds)}</td>
      <td className="num" aria-label={`Indicators in ${m.name}`}>
        <span>{h ? (unread ? 'reading…' : h.indicators ?? '—') : '—'}</span>
        {h?.ranges ? <span className="sub">{h.ranges} {h.ranges === 1 ? 'range' : 'ranges'}</span> : null}
        {h?.expired ? <span className="sub">{h.expired} expired</span> : null}
        {h?.not_yet_valid ? <span className="sub">{h.not_yet_valid} not valid yet</span> : null}
        {h?.skipped ? <SkippedEntries count={h.skipped} entries={h.skipped_entries ?? []} feed={m.name} /> : null}
      </td>
      <td>{h ? when(h.last_refresh) : '—'}</td>
      <td className="last-error">
        {health && !health.ok && <span className="error">{health.message}</span>}
        {h?.last_error ? <><span className="error">{h.last_error.message}</span><span className="sub">{when(h.last_error.time)}</span></> : h && '—'}
      </td>
      <td>
        <div className="actions">
          {admin && m.enabled
            ? <button type="button" className="secondary" onClick={refresh} disabled={busy} aria-label={`Read ${m.name} again now`}>Read now</button>
            : <button type="button" className="secondary" onClick={check} aria-label={`Check ${m.name} now`}>Check now</button>}
          {admin && <ConfirmDelete name={m.name} busy={busy} onConfirm={remove} warning="Events are no longer tagged by it." />}
        </div>
      </td>
    </tr>
  );
}
