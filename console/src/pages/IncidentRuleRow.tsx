// One promotion rule: its place in the order, conditions, the severity it opens with and its
// grouping window; for admins the enabled switch, edit and delete.
import { useState } from 'react';
import { send } from '../api';
import { ConfirmDelete } from './ModuleConfirm';
import { conditionsOf, rulePath, windowText, type PromotionRule } from './incidentRulesApi';

export function IncidentRuleRow({ rule, order, admin, onChanged, onEdit }: {
  rule: PromotionRule; order: number; admin: boolean; onChanged: () => void; onEdit: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  const run = (p: Promise<unknown>) => {
    setBusy(true);
    setError('');
    p.then(onChanged, (err: Error) => setError(err.message)).finally(() => setBusy(false));
  };

  return (
    <tr data-rule-id={rule.id}>
      <td className="num">{order}</td>
      <th scope="row">
        <span className="device-name">{rule.name}</span>
        {error && <span role="alert" className="error sub">{error}</span>}
      </th>
      <td className="rule-match">
        <ul aria-label={`Conditions of ${rule.name}`}>{conditionsOf(rule.match).map((c) => <li key={c}>{c}</li>)}</ul>
      </td>
      <td>{rule.severity}</td>
      <td>{windowText(rule.group_window_seconds)}</td>
      <td>
        {admin ? (
          <button type="button" role="switch" aria-checked={rule.enabled} className={`switch ${rule.enabled ? 'on' : 'off'}`}
            aria-label={`Enabled: ${rule.name}`} disabled={busy} onClick={() => run(send('PATCH', rulePath(rule.id), { enabled: !rule.enabled }))}>
            <span className="knob" aria-hidden="true" />
            <span className="switch-text">{rule.enabled ? 'on' : 'off'}</span>
          </button>
        ) : (
          <span className={`cloud ${rule.enabled ? 'on' : 'off'}`}>{rule.enabled ? 'on' : 'off'}</span>
        )}
      </td>
      {admin && (
        <td>
          <div className="actions">
            <button type="button" className="secondary" onClick={onEdit} aria-label={`Edit ${rule.name}`}>Edit</button>
            <ConfirmDelete name={rule.name} busy={busy} onConfirm={() => run(send('DELETE', rulePath(rule.id)))}
              warning="Events it would take no longer open incidents by it." />
          </div>
        </td>
      )}
    </tr>
  );
}
