// The Incidents page's filter form. Edits stay a draft until applied (Enter or the button).
import { useEffect, useId, useState, type FormEvent } from 'react';
import { NO_FILTERS, SEVERITIES, STATUSES, type Filters } from './incidentsQuery';

export function IncidentFilters({ filters, me, onApply }: { filters: Filters; me: string; onApply: (f: Filters) => void }) {
  const [draft, setDraft] = useState(filters);
  const id = useId();
  useEffect(() => setDraft(filters), [filters]);

  const set = <K extends keyof Filters>(k: K, v: Filters[K]) => setDraft((d) => ({ ...d, [k]: v }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onApply({ ...draft, offset: 0 });
  };

  return (
    <form className="incident-filters" onSubmit={submit} aria-label="Incident filters" role="search">
      <div className="field">
        <label htmlFor={`${id}-status`}>Status</label>
        <select id={`${id}-status`} value={draft.status} onChange={(e) => setDraft((d) => ({ ...d, status: e.target.value, stage: '' }))}>
          <option value="">Any status</option>
          {STATUSES.map((s) => <option key={s} value={s}>{s}</option>)}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-severity`}>Severity</label>
        <select id={`${id}-severity`} value={draft.severity} onChange={(e) => set('severity', e.target.value)}>
          <option value="">Any severity</option>
          {SEVERITIES.map((s) => <option key={s} value={s}>{s}</option>)}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-assignee`}>Assignee</label>
        <input id={`${id}-assignee`} list={`${id}-assignees`} value={draft.assignee} onChange={(e) => set('assignee', e.target.value)} />
        <datalist id={`${id}-assignees`}><option value={me}>me</option></datalist>
      </div>
      <div className="field wide">
        <label htmlFor={`${id}-q`}>Text</label>
        <input id={`${id}-q`} type="search" value={draft.q} aria-describedby={`${id}-q-hint`} onChange={(e) => set('q', e.target.value)} />
        <span id={`${id}-q-hint`} className="hint">Words, or a query such as title:beacon*</span>
      </div>
      <div className="actions">
        <button type="submit">Apply filters</button>
        <button type="button" className="secondary" onClick={() => onApply(NO_FILTERS)}>Clear</button>
      </div>
    </form>
  );
}
