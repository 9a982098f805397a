// A "Delete" button that asks once more before acting, shared by the admin pages. Cancel and
// Escape leave things as they were.
import { useState } from 'react';

export function ConfirmDelete({ name, warning, busy, onConfirm, verb = 'Delete' }: {
  name: string; warning?: string; busy: boolean; onConfirm: () => void; verb?: string;
}) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return <button type="button" className="secondary danger-outline" onClick={() => setAsking(true)} aria-label={`${verb} ${name}`}>{verb}</button>;
  }
  return (
    <span className="confirm" role="group" aria-label={`Confirm: ${verb.toLowerCase()} ${name}`}
      onKeyDown={(e) => { if (e.key === 'Escape') setAsking(false); }}>
      <span>{verb} {name}?{warning ? ` ${warning}` : ''}</span>
      <button type="button" className="danger" disabled={busy} autoFocus onClick={onConfirm} aria-label={`Yes, ${verb.toLowerCase()} ${name}`}>{verb}</button>
      <button type="button" className="secondary" onClick={() => setAsking(false)}>Cancel</button>
    </span>
  );
}
