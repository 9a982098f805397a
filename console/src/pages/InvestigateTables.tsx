// The tables beside the graph: observables with their verdict (and, for analysts, the response
// actions), sightings per module with links to where they were seen, judgements, and refer
// links. A row of the node picked in the graph is marked; picking a row picks its node.
import type { GraphNode, Investigation, Observable } from './investigateApi';
import { isMalicious } from './investigateApi';
import { InvestigateActions, type OfferedAction } from './InvestigateActions';
import { InvestigateJudge } from './InvestigateJudge';
import { BASE } from '../nav';

export const obsKey = (o: Observable) => `${o.type}:${o.value}`;
export const observableNodeId = (o: Observable) => `observable:${o.type}:${o.value}`;

/** The node a sighting or judgement row became: `{kind}:{module instance}:{doc id}`. */
const docNode = (nodes: GraphNode[], kind: GraphNode['kind'], module: string, id: string) =>
  nodes.find((n) => n.kind === kind && n.module === module && n.id.endsWith(`:${id}`))?.id ?? null;

/** A module that saw one doc for several observables lists it once per observable; the table once. */
function once<T extends { module: string; id: string }>(rows: T[]): T[] {
  return [...new Map(rows.map((r) => [`${r.module}\u0000${r.id}`, r])).values()];
}

const when = (iso: string | undefined) => (iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' }) : '—');

/** A link to our own console stays in the tab; anything else opens a new one. */
function OutLink({ href, label, children }: { href: string; label: string; children: string }) {
  const ours = href.startsWith(`${location.origin}${BASE}`) || href.startsWith(BASE);
  return ours ? <a href={href} aria-label={label}>{children}</a> : <a href={href} aria-label={label} target="_blank" rel="noopener noreferrer">{children}</a>;
}

interface Props {
  result: Investigation;
  selectedNode: string | null;
  onSelect: (nodeId: string) => void;
  checked: Set<string>;
  onCheck: (key: string, on: boolean) => void;
  /** Offered actions per observable key; null for users who may not respond. */
  actions: Map<string, OfferedAction[]> | null;
  deviceName: (id: string) => string;
  /** Who judges (the source a judgement records), and what follows one; with the actions. */
  judgedBy: string;
  onJudged: () => void;
}

export function InvestigateTables({ result, selectedNode, onSelect, checked, onCheck, actions, deviceName, judgedBy, onJudged }: Props) {
  const { nodes, edges } = result.graph;
  // A verdict node marks the row of the observable it is the verdict of.
  const marked = selectedNode?.startsWith('verdict:') ? edges.find((e) => e.source === selectedNode)?.target ?? null : selectedNode;
  const rowMark = (nodeId: string | null) => (nodeId !== null && nodeId === marked ? { className: 'selected', 'data-selected': 'true' } : {});
  const t = result.tables;
  const sightings = once(t.sightings);
  const judgements = once(t.judgements);

  return (
    <div className="inv-tables">
      <section aria-labelledby="inv-obs-h">
        <h2 id="inv-obs-h">Observables</h2>
        <div className="table-wrap">
          <table className="inv-observables">
            <caption className="visually-hidden">Observables found, with their verdicts</caption>
            <thead>
              <tr>
                <th scope="col"><span className="visually-hidden">Selected</span></th>
                <th scope="col">Observable</th><th scope="col">Verdict</th>
                {actions && <th scope="col">Response</th>}
              </tr>
            </thead>
            <tbody>
              {t.observables.map((o) => {
                const id = observableNodeId(o);
                return (
                  <tr key={id} data-observable={obsKey(o)} {...rowMark(id)}>
                    <td>
                      <input type="checkbox" checked={checked.has(obsKey(o))} onChange={(e) => onCheck(obsKey(o), e.target.checked)}
                        aria-label={`Select ${o.value}`} />
                    </td>
                    <th scope="row">
                      <button type="button" className="link" aria-pressed={selectedNode === id} onClick={() => onSelect(id)}>{o.value}</button>
                      <span className="sub">{o.type}{o.modules.length > 0 ? ` · ${o.modules.join(', ')}` : ''}</span>
                    </th>
                    <td>
                      <span className={isMalicious(o.verdict) ? 'inv-malicious' : undefined}>{o.verdict?.disposition_name ?? 'none'}</span>
                      <span className="sub">{o.sightings} {o.sightings === 1 ? 'sighting' : 'sightings'}</span>
                    </td>
                    {actions && (
                      <td className="wrap">
                        <InvestigateActions value={o.value} offered={actions.get(obsKey(o)) ?? []} deviceName={deviceName} />
                        <InvestigateJudge observable={o} judgedBy={judgedBy} onJudged={onJudged} />
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </section>

      <section aria-labelledby="inv-sightings-h">
        <h2 id="inv-sightings-h">Sightings</h2>
        {sightings.length === 0 ? <p className="muted">No module saw these observables.</p> : (
          <div className="table-wrap">
            <table className="inv-sightings">
              <caption className="visually-hidden">Sightings, per module</caption>
              <thead><tr><th scope="col">Sighting</th><th scope="col">Count</th><th scope="col">Source</th></tr></thead>
              <tbody>
                {sightings.map((s) => {
                  const nodeId = docNode(nodes, 'sighting', s.module, s.id);
                  return (
                    <tr key={`${s.module}:${s.id}`} data-module={s.module} {...rowMark(nodeId)}>
                      <td className="wrap">
                        {nodeId ? <button type="button" className="link" aria-pressed={selectedNode === nodeId} onClick={() => onSelect(nodeId)}>{s.title ?? 'sighting'}</button> : (s.title ?? 'sighting')}
                        <span className="sub">{s.module} · {s.severity ?? 'no severity'} · last {when(s.observed_time.end_time ?? s.observed_time.start_time)}</span>
                      </td>
                      <td className="num">{s.count ?? 1}</td>
                      <td>{s.source_uri ? <OutLink href={s.source_uri} label={`Open sighting ${s.title ?? ''} from ${s.module}`}>Open</OutLink> : '—'}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section aria-labelledby="inv-judgements-h">
        <h2 id="inv-judgements-h">Judgements</h2>
        {judgements.length === 0 ? <p className="muted">No judgements.</p> : (
          <div className="table-wrap">
            <table className="inv-judgements">
              <caption className="visually-hidden">Judgements, per module</caption>
              <thead><tr><th scope="col">Observable</th><th scope="col">Disposition</th><th scope="col">Source</th></tr></thead>
              <tbody>
                {judgements.map((j) => {
                  const nodeId = docNode(nodes, 'judgement', j.module, j.id);
                  return (
                    <tr key={`${j.module}:${j.id}`} {...rowMark(nodeId)}>
                      <td className="wrap">{j.observable.value}</td>
                      <td>
                        <span className={isMalicious(j) ? 'inv-malicious' : undefined}>
                          {nodeId ? <button type="button" className="link" aria-pressed={selectedNode === nodeId} onClick={() => onSelect(nodeId)}>{j.disposition_name}</button> : j.disposition_name}
                        </span>
                        <span className="sub">{j.module}{j.severity ? ` · ${j.severity}` : ''}</span>
                      </td>
                      <td className="wrap">{j.source ?? '—'}{j.reason ? `: ${j.reason}` : ''}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section aria-labelledby="inv-refer-h">
        <h2 id="inv-refer-h">Refer</h2>
        {t.refer.length === 0 ? <p className="muted">No links.</p> : (
          <ul className="inv-refer">
            {t.refer.map((r, i) => (
              <li key={`${r.module_instance_id}:${r.id}:${i}`}>
                <a href={r.url} target="_blank" rel="noopener noreferrer">{r.title}</a>
                <span className="sub">{r.module}{r.description ? `: ${r.description}` : ''}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
