// The Events page's filter form. Edits stay a draft until applied (Enter or the button).
import { useEffect, useId, useState, type FormEvent } from 'react';
import { EVENT_TYPES, NO_FILTERS, RANGES, type Filters, type RangeValue } from './eventsQuery';

export function EventsFilters({ filters, devices, onApply }: {
  filters: Filters;
  devices: ReadonlyArray<{ id: string; name: string }>;
  onApply: (f: Filters) => void;
}) {
  const [draft, setDraft] = useState(filters);
  const id = useId();
  useEffect(() => setDraft(filters), [filters]);

  const set = <K extends keyof Filters>(k: K, v: Filters[K]) => setDraft((d) => ({ ...d, [k]: v }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onApply(draft);
  };

  return (
    <form className="event-filters" onSubmit={submit} aria-label="Event filters" role="search">
      <div className="field">
        <label htmlFor={`${id}-range`}>Time range</label>
        <select id={`${id}-range`} value={draft.range} onChange={(e) => set('range', e.target.value as RangeValue)}>
          {RANGES.map((r) => <option key={r.value} value={r.value}>{r.label}</option>)}
        </select>
      </div>
      {draft.range === 'custom' && (
        <>
          <div className="field">
            <label htmlFor={`${id}-from`}>From</label>
            <input id={`${id}-from`} type="datetime-local" value={draft.from} onChange={(e) => set('from', e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor={`${id}-to`}>To</label>
            <input id={`${id}-to`} type="datetime-local" value={draft.to} onChange={(e) => set('to', e.target.value)} />
          </div>
        </>
      )}
      <div className="field">
        <label htmlFor={`${id}-device`}>Device</label>
        <select id={`${id}-device`} value={draft.device} onChange={(e) => set('device', e.target.value)}>
          <option value="">All devices</option>
          {devices.map((d) => <option key={d.id} value={d.id}>{d.name}</option>)}
          {draft.device && !devices.some((d) => d.id === draft.device) && <option value={draft.device}>{draft.device}</option>}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-type`}>Type</label>
        <select id={`${id}-type`} value={draft.type} onChange={(e) => set('type', e.target.value)}>
          <option value="">All types</option>
          {EVENT_TYPES.map((t) => <option key={t} value={t}>{t}</option>)}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-sid`}>Signature ID</label>
        <input id={`${id}-sid`} inputMode="numeric" pattern="[0-9]*" size={9} value={draft.sid} onChange={(e) => set('sid', e.target.value)} />
      </div>
      <div className="field wide">
        <label htmlFor={`${id}-observable`}>Observable</label>
        <input id={`${id}-observable`} placeholder="IP, domain, URL, hash…" value={draft.observable} onChange={(e) => set('observable', e.target.value)} />
      </div>
      <div className="field wide">
        <label htmlFor={`${id}-q`}>Text</label>
        <input id={`${id}-q`} type="search" placeholder="signature message or classification" value={draft.q} onChange={(e) => set('q', e.target.value)} />
      </div>
      <div className="actions">
        <button type="submit">Apply filters</button>
        <button type="button" className="secondary" onClick={() => { setDraft(NO_FILTERS); onApply(NO_FILTERS); }}>Clear</button>
      </div>
    </form>
  );
}
