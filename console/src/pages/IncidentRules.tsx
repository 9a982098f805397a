// Incident rules: which of the org's events open incidents by themselves (promotion rules, tried
// in order, the first match winning). Everyone reads them; admins add, edit, switch off and
// delete them, as the API allows.
import { useState } from 'react';
import type { SessionUser } from '../api';
import { IncidentRuleForm } from './IncidentRuleForm';
import { IncidentRuleRow } from './IncidentRuleRow';
import { RULES_PATH, type PromotionRule } from './incidentRulesApi';
import { dataOf, useLoad } from './moduleLoad';
import './Modules.css';
import './IncidentRules.css';

export function IncidentRules({ user }: { user: SessionUser }) {
  const admin = user.role === 'admin';
  const { data: rules, error, reload } = useLoad(RULES_PATH, dataOf<PromotionRule>);
  // null: no form; 'new': adding; otherwise the rule being edited.
  const [form, setForm] = useState<'new' | PromotionRule | null>(null);

  const done = () => { setForm(null); reload(); };

  return (
    <div className="admin-page">
      <p className="hint">Each new event is tried against these rules in order; the first it matches opens an incident, or adds it to the open one of its group (same source, destination and signature) within the rule's window. Analysts promote other events by hand.</p>
      {admin ? (form ? (
        <IncidentRuleForm key={form === 'new' ? 'new' : form.id} editing={form === 'new' ? undefined : form} onDone={done} onCancel={() => setForm(null)} />
      ) : (
        <div className="bar"><button type="button" onClick={() => setForm('new')}>Add rule</button></div>
      )) : <p className="hint">You can read the rules; changing them takes the admin role.</p>}
      {error && <p role="alert" className="error">{error}</p>}
      {!rules ? (
        !error && <p className="muted">Loading…</p>
      ) : rules.length === 0 ? (
        <p className="muted">No rules: no event opens an incident by itself.{admin ? ' Add one above.' : ''}</p>
      ) : (
        <div className="table-wrap">
          <table className="admin-table rules-table">
            <caption className="visually-hidden">Promotion rules, in the order they are tried</caption>
            <thead>
              <tr>
                <th scope="col">Order</th><th scope="col">Name</th><th scope="col">Conditions</th><th scope="col">Severity</th>
                <th scope="col">Grouping window</th><th scope="col">Enabled</th>{admin && <th scope="col">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {rules.map((r, i) => <IncidentRuleRow key={r.id} rule={r} order={i + 1} admin={admin} onChanged={reload} onEdit={() => setForm(r)} />)}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
