// Adding or editing a promotion rule: the conditions an event must all meet (signature priority,
// impact, a feed match with its disposition, SIDs, event types), the severity of the incident
// it opens and the window within which events of one group join it. The server checks the rule
// again and its refusal is shown here, beside the fields.
import { useId, useState, type FormEvent } from 'react';
import { send } from '../api';
import {
  DEFAULT_WINDOW_SECONDS, FEED_DISPOSITIONS, RULES_PATH, RULE_EVENT_TYPES, RULE_SEVERITIES, parseSids, rulePath,
  type PromotionRule, type RuleMatch, type RuleSeverity,
} from './incidentRulesApi';

const IMPACTS = [1, 2, 3, 4, 5];

export function IncidentRuleForm({ editing, onDone, onCancel }: { editing?: PromotionRule; onDone: () => void; onCancel: () => void }) {
  const f = useId();
  const m = editing?.match ?? {};
  const [name, setName] = useState(editing?.name ?? '');
  const [enabled, setEnabled] = useState(editing?.enabled ?? true);
  const [severity, setSeverity] = useState<RuleSeverity>(editing?.severity ?? 'High');
  const [priority, setPriority] = useState(m.priority_max?.toString() ?? '');
  const [impact, setImpact] = useState(m.impact_max?.toString() ?? '');
  const [feed, setFeed] = useState(m.feed_disposition ?? '');
  const [sids, setSids] = useState(m.sids?.join(', ') ?? '');
  const [types, setTypes] = useState<string[]>(m.types ?? []);
  const [windowS, setWindowS] = useState(String(editing?.group_window_seconds ?? DEFAULT_WINDOW_SECONDS));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const sidList = sids.trim() ? parseSids(sids) : undefined;
    if (sidList === null) { setError('SIDs: whole numbers, separated by commas or spaces.'); return; }
    const match: RuleMatch = {
      ...(priority.trim() ? { priority_max: Number(priority) } : {}),
      ...(impact ? { impact_max: Number(impact) } : {}),
      ...(feed ? { feed_disposition: feed } : {}),
      ...(sidList ? { sids: sidList } : {}),
      ...(types.length > 0 ? { types } : {}),
    };
    // The server would say "must NOT have fewer than 1 properties"; this says what is meant.
    if (Object.keys(match).length === 0) { setError('Set at least one condition: a rule without any would open an incident for every event.'); return; }
    const body = { name: name.trim(), enabled, severity, match, group_window_seconds: Number(windowS) };
    setBusy(true);
    setError('');
    (editing ? send('PATCH', rulePath(editing.id), body) : send('POST', RULES_PATH, body))
      .then(onDone, (err: Error) => setError(err.message))
      .finally(() => setBusy(false));
  };

  const toggleType = (t: string) => setTypes((cur) => (cur.includes(t) ? cur.filter((x) => x !== t) : [...cur, t]));
  const title = editing ? `Edit ${editing.name}` : 'Add a rule';

  return (
    <form className="admin-form" onSubmit={submit} aria-label={title}>
      <h2>{title}</h2>
      <div className="fields">
        <label htmlFor={`${f}-name`}>Name</label>
        <input id={`${f}-name`} value={name} required maxLength={200} onChange={(e) => setName(e.target.value)} />
        <label htmlFor={`${f}-severity`}>Incident severity</label>
        <select id={`${f}-severity`} value={severity} onChange={(e) => setSeverity(e.target.value as RuleSeverity)}>
          {RULE_SEVERITIES.map((s) => <option key={s} value={s}>{s}</option>)}
        </select>
      </div>
      <fieldset className="rule-conditions" aria-describedby={`${f}-conditions-hint`}>
        <legend>Conditions</legend>
        <p id={`${f}-conditions-hint`} className="hint">An event opens or joins an incident when it meets every condition set here; leave a condition empty to ignore it.</p>
        <div className="fields">
          <label htmlFor={`${f}-priority`}>Signature priority at most</label>
          <input id={`${f}-priority`} type="number" min={1} max={255} step={1} value={priority} placeholder="any" onChange={(e) => setPriority(e.target.value)} />
          <label htmlFor={`${f}-impact`}>Impact at most</label>
          <select id={`${f}-impact`} value={impact} onChange={(e) => setImpact(e.target.value)}>
            <option value="">any</option>
            {IMPACTS.map((i) => <option key={i} value={i}>{i}</option>)}
          </select>
          <label htmlFor={`${f}-feed`}>Feed match with disposition</label>
          <select id={`${f}-feed`} value={feed} onChange={(e) => setFeed(e.target.value)}>
            <option value="">no feed match needed</option>
            {FEED_DISPOSITIONS.map((d) => <option key={d} value={d}>{d}</option>)}
          </select>
          <label htmlFor={`${f}-sids`}>Signature IDs (SIDs)</label>
          <input id={`${f}-sids`} value={sids} placeholder="any, or 2024001, 2024002" onChange={(e) => setSids(e.target.value)} />
        </div>
        <fieldset className="choices">
          <legend>Event types (none checked: every type)</legend>
          {RULE_EVENT_TYPES.map((t) => (
            <label key={t}><input type="checkbox" checked={types.includes(t)} onChange={() => toggleType(t)} /> {t}</label>
          ))}
        </fieldset>
      </fieldset>
      <div className="fields">
        <label htmlFor={`${f}-window`}>Grouping window (seconds)</label>
        <input id={`${f}-window`} type="number" min={0} max={30 * 86400} step={1} required value={windowS} aria-describedby={`${f}-window-hint`} onChange={(e) => setWindowS(e.target.value)} />
        <label htmlFor={`${f}-enabled`}>Enabled</label>
        <input id={`${f}-enabled`} type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
      </div>
      <p id={`${f}-window-hint`} className="hint">Events of one source, destination and signature within this many seconds of the incident's last event join it instead of opening another; 0 opens an incident for each event.</p>
      {error && <p role="alert" className="error">{error}</p>}
      <div className="actions">
        <button type="submit" disabled={busy}>{editing ? 'Save' : 'Add rule'}</button>
        <button type="button" className="secondary" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}
