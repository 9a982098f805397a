// "Check health" for one module instance, with the answer or the error beside it.
import { useState } from 'react';
import { checkHealth, type Health } from './moduleApi';

function summary(data: Record<string, unknown>): string {
  const { status, ...rest } = data;
  const extra = Object.entries(rest).filter(([, v]) => v !== null && typeof v !== 'object').map(([k, v]) => `${k}: ${String(v)}`);
  return [String(status ?? 'ok'), ...extra].join(', ');
}

export function ModuleHealth({ id, name }: { id: string; name: string }) {
  const [health, setHealth] = useState<Health | null>(null);
  const [busy, setBusy] = useState(false);

  const check = () => {
    setBusy(true);
    checkHealth(id).then(setHealth).finally(() => setBusy(false));
  };

  return (
    <div className="health">
      <button type="button" className="secondary" onClick={check} disabled={busy} aria-label={`Check health of ${name}`}>
        {busy ? 'Checking…' : 'Check health'}
      </button>
      <span role="status" aria-label={`Health of ${name}`} className={health ? (health.ok ? 'health-ok' : 'error') : ''}>
        {health && (health.ok ? summary(health.data) : health.message)}
      </span>
    </div>
  );
}
