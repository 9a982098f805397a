// Investigate: paste any text, find its observables, and ask every module of the org about them
// at once. Each module shows as answering until it is done or failed; then the graph, the tables
// beside it, the response actions per observable, a casebook and an incident to keep it in.
// The address holds the query (/console/investigate?q=…), so other pages link here.
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { get, send, type SessionUser } from '../api';
import { BASE } from '../nav';
import { investigateStream, isMalicious, type Investigation, type ModuleFailure, type Observable } from './investigateApi';
import { progressStep, type ModuleProgress } from './investigateProgress';
import { InvestigateModules } from './InvestigateModules';
import { InvestigateGraph } from './InvestigateGraph';
import { InvestigateTables, obsKey, observableNodeId } from './InvestigateTables';
import { InvestigateCasebook } from './InvestigateCasebook';
import { InvestigateIncident } from './InvestigateIncident';
import type { OfferedAction } from './InvestigateActions';
import { meOf } from './incidentsQuery';
import './Investigate.css';

const queryFrom = (search: string) => new URLSearchParams(search).get('q') ?? '';

function titleOf(obs: Observable[]): string {
  const named = obs.slice(0, 3).map((o) => o.value).join(', ');
  return `Investigation: ${named}${obs.length > 3 ? ` and ${obs.length - 3} more` : ''}`;
}

export function Investigate({ user }: { user: SessionUser }) {
  const canRespond = user.role !== 'read-only';
  const [text, setText] = useState(() => queryFrom(location.search));
  // The query shown; `runs` counts submissions, so the same text can be asked again.
  const [query, setQuery] = useState(() => queryFrom(location.search));
  const [runs, setRuns] = useState(0);
  const [found, setFound] = useState<Observable[] | null>(null);
  const [modules, setModules] = useState<ModuleProgress[]>([]);
  const [result, setResult] = useState<Investigation | null>(null);
  const [error, setError] = useState('');
  const [selected, setSelected] = useState<string | null>(null);
  const [checked, setChecked] = useState<Set<string>>(new Set());
  const [actions, setActions] = useState<Map<string, OfferedAction[]> | null>(null);
  // Modules that could not say which actions they offer: their buttons are missing, and why.
  const [respondErrors, setRespondErrors] = useState<ModuleFailure[]>([]);
  const [devices, setDevices] = useState<Map<string, string>>(new Map());

  useEffect(() => {
    const onPop = () => {
      if (!location.pathname.startsWith(`${BASE}investigate`)) return;
      setText(queryFrom(location.search));
      setQuery(queryFrom(location.search));
    };
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);

  useEffect(() => {
    setFound(null); setModules([]); setResult(null); setError(''); setSelected(null); setActions(null); setRespondErrors([]);
    if (!query.trim()) return;
    const ac = new AbortController();
    investigateStream(query, (line) => {
      if (line.type === 'start') { setFound(line.observables); setModules(progressStep([], line)); }
      else if (line.type === 'module') setModules((cur) => progressStep(cur, line));
      else if (line.type === 'result') { setResult(line); setChecked(new Set(line.observables.map(obsKey))); }
      else setError(line.message);
    }, ac.signal).catch((err: Error) => { if (!ac.signal.aborted) setError(err.message); });
    return () => ac.abort();
  }, [query, runs]);

  // The actions the modules offer per observable, for those who may take them.
  useEffect(() => {
    if (!canRespond || !result || result.observables.length === 0) return;
    let live = true;
    send<{ data: OfferedAction[]; errors?: ModuleFailure[] }>('POST', '/iroh/iroh-response/respond/observables', result.observables).then((r) => {
      if (!live) return;
      setRespondErrors(r.errors ?? []);
      const by = new Map<string, OfferedAction[]>();
      for (const a of r.data) {
        const k = obsKey({ type: a['query-params'].observable_type ?? '', value: a['query-params'].observable_value ?? '' });
        by.set(k, [...(by.get(k) ?? []), a]);
      }
      setActions(by);
    }, (err: Error) => { if (live) setError(`Response actions: ${err.message}`); });
    return () => { live = false; };
  }, [canRespond, result]);

  useEffect(() => {
    if (!canRespond) return;
    get<{ data: Array<{ id: string; name: string }> }>('/api/v1/devices').then((r) => setDevices(new Map(r.data.map((d) => [d.id, d.name]))), () => { /* ids stand in */ });
  }, [canRespond]);

  // Observables with a malicious verdict, and the verdict and judgement nodes that say so.
  const malicious = useMemo(() => {
    const m = new Set<string>();
    for (const o of result?.tables.observables ?? []) if (isMalicious(o.verdict)) m.add(observableNodeId(o));
    for (const n of result?.graph.nodes ?? []) if ((n.kind === 'verdict' || n.kind === 'judgement') && isMalicious(n)) m.add(n.id);
    return m;
  }, [result]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    history.pushState(null, '', `${BASE}investigate?${new URLSearchParams({ q: text })}`);
    setQuery(text);
    setRuns((n) => n + 1);
  };

  const picked = (result?.observables ?? []).filter((o) => checked.has(obsKey(o)));
  const check = (key: string, on: boolean) => setChecked((cur) => {
    const next = new Set(cur);
    if (on) next.add(key); else next.delete(key);
    return next;
  });

  return (
    <div className="inv-page">
      <form className="inv-form" onSubmit={submit}>
        <label htmlFor="inv-text">Text to investigate</label>
        <textarea id="inv-text" value={text} rows={4} spellCheck={false} onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) e.currentTarget.form?.requestSubmit(); }}
          aria-describedby="inv-text-hint" />
        <span id="inv-text-hint" className="hint">Paste logs, an e-mail, a report: IP addresses, domains, URLs, hashes and e-mail addresses are found, defanged ones too (Ctrl+Enter runs it).</span>
        <div className="actions">
          <button type="submit" disabled={!text.trim()}>Investigate</button>
        </div>
      </form>

      {error && <p role="alert" className="error">{error}</p>}

      {found && (
        <section className="inv-found" aria-labelledby="inv-found-h">
          <h2 id="inv-found-h">Observables found ({found.length})</h2>
          {found.length === 0 ? <p className="muted">No observables in this text.</p> : (
            <ul aria-label="Observables found">
              {found.map((o) => <li key={obsKey(o)}><span className="sub">{o.type}</span> <span>{o.value}</span></li>)}
            </ul>
          )}
        </section>
      )}

      {found && found.length > 0 && <InvestigateModules modules={modules} />}

      {respondErrors.length > 0 && (
        <div role="alert" className="error inv-respond-errors" aria-label="Response actions not offered">
          <p>These modules did not say which response actions they offer, so theirs are missing below:</p>
          <ul>
            {respondErrors.map((e, i) => <li key={`${e.module_instance_id}:${i}`}>{e.module}: {e.message}</li>)}
          </ul>
        </div>
      )}

      {result && result.observables.length > 0 && (
        <div className="inv-main">
          <InvestigateGraph nodes={result.graph.nodes} edges={result.graph.edges} malicious={malicious} selected={selected} onSelect={setSelected} />
          <div className="inv-side">
            <InvestigateTables result={result} selectedNode={selected} onSelect={setSelected} checked={checked} onCheck={check}
              actions={canRespond ? actions : null} deviceName={(id) => devices.get(id) ?? id}
              judgedBy={meOf(user)} onJudged={() => setRuns((n) => n + 1)} />
            {canRespond && (
              <div className="inv-save-row">
                <InvestigateCasebook observables={picked} defaultTitle={titleOf(result.observables)} />
                <InvestigateIncident observables={picked} title={titleOf(picked)} malicious={picked.some((o) => malicious.has(observableNodeId(o)))} />
              </div>
            )}
          </div>
        </div>
      )}
    </div>
  );
}
