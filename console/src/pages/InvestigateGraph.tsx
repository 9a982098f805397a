// The investigation graph, drawn by cytoscape on a canvas: nodes shaped and coloured by kind,
// malicious ones marked red. Beside the canvas the same nodes as a list of buttons, so the graph
// is there for the keyboard and screen readers too; picking a node either way selects it.
import { useEffect, useRef } from 'react';
import type { Core } from 'cytoscape';
import type { GraphEdge, GraphNode } from './investigateApi';

// cytoscape adds a <style> to the head unless an element with this id exists; the console's CSP
// refuses inline styles, so a placeholder stands in and Investigate.css gives the container
// the position:relative that style would have set.
const CY_STYLESHEET_ID = '__________cytoscape_stylesheet';
function placeholderForCytoscapeStylesheet(): void {
  if (document.getElementById(CY_STYLESHEET_ID)) return;
  const el = document.createElement('meta');
  el.id = CY_STYLESHEET_ID;
  document.head.prepend(el);
}

const KIND_STYLE: Record<GraphNode['kind'], { shape: string; color: string }> = {
  observable: { shape: 'ellipse', color: '#0b5cad' },
  target: { shape: 'round-rectangle', color: '#5f6b7a' },
  sighting: { shape: 'round-tag', color: '#c26a00' },
  judgement: { shape: 'diamond', color: '#6a3fa0' },
  verdict: { shape: 'hexagon', color: '#137333' },
};

const short = (s: string) => (s.length > 28 ? `${s.slice(0, 27)}…` : s);

interface Props {
  nodes: GraphNode[];
  edges: GraphEdge[];
  malicious: Set<string>;
  selected: string | null;
  onSelect: (id: string) => void;
}

export function InvestigateGraph({ nodes, edges, malicious, selected, onSelect }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const cy = useRef<Core | null>(null);
  const select = useRef(onSelect);
  select.current = onSelect;
  const selectedRef = useRef(selected);
  selectedRef.current = selected;

  useEffect(() => {
    let live = true;
    // cytoscape is most of the console's code: loaded when a graph is first drawn.
    void import('cytoscape').then(({ default: cytoscape }) => {
      if (!live || !box.current) return;
      placeholderForCytoscapeStylesheet();
      const c = cytoscape({
        container: box.current,
        elements: [
          ...nodes.map((n) => ({ data: { id: n.id, label: short(n.label), kind: n.kind }, classes: `${n.kind}${malicious.has(n.id) ? ' malicious' : ''}` })),
          ...edges.map((e) => ({ data: { id: e.id, source: e.source, target: e.target, label: e.kind === 'relation' || e.kind === 'targets' ? e.label : '' } })),
        ],
        style: [
          { selector: 'node', style: { label: 'data(label)', 'font-size': 10, 'text-valign': 'bottom', 'text-margin-y': 4, width: 26, height: 26, color: '#1b1f24' } },
          ...Object.entries(KIND_STYLE).map(([k, s]) => ({ selector: `node.${k}`, style: { shape: s.shape as 'ellipse', 'background-color': s.color } })),
          { selector: 'node.observable', style: { width: 34, height: 34, 'font-weight': 'bold' } },
          { selector: 'node.malicious', style: { 'background-color': '#b00020', 'border-width': 4, 'border-color': '#5c0010' } },
          { selector: 'node:selected', style: { 'overlay-color': '#f4b400', 'overlay-opacity': 0.35, 'overlay-padding': 6 } },
          { selector: 'edge', style: { width: 1.5, 'line-color': '#aab3bf', 'target-arrow-color': '#aab3bf', 'target-arrow-shape': 'triangle', 'curve-style': 'bezier', label: 'data(label)', 'font-size': 8, color: '#5f6b7a' } },
        ],
        layout: { name: 'cose', animate: false, padding: 20 },
        selectionType: 'single',
        boxSelectionEnabled: false,
      });
      c.on('tap', 'node', (e) => select.current(e.target.id() as string));
      if (selectedRef.current) c.getElementById(selectedRef.current).select();
      cy.current = c;
    });
    return () => { live = false; cy.current?.destroy(); cy.current = null; };
  }, [nodes, edges, malicious]);

  useEffect(() => {
    const c = cy.current;
    if (!c) return;
    c.nodes().unselect();
    if (selected) c.getElementById(selected).select();
  }, [selected, nodes]);

  const picked = nodes.find((n) => n.id === selected);
  return (
    <section className="inv-graph" aria-labelledby="inv-graph-h">
      <h2 id="inv-graph-h">Graph</h2>
      <div ref={box} className="inv-graph-canvas" role="img" aria-label={`Graph of ${nodes.length} nodes and ${edges.length} edges; the nodes are listed below it`} />
      {picked && (
        <dl className="inv-node-detail" aria-label="Selected node">
          <dt>Kind</dt><dd>{picked.kind}</dd>
          <dt>Name</dt><dd>{picked.label}</dd>
          {picked.module && <><dt>Module</dt><dd>{picked.module}</dd></>}
          {picked.disposition_name && <><dt>Disposition</dt><dd>{picked.disposition_name}</dd></>}
          {picked.severity && <><dt>Severity</dt><dd>{picked.severity}</dd></>}
          {picked.count !== undefined && <><dt>Count</dt><dd>{picked.count}</dd></>}
        </dl>
      )}
      <ul className="inv-legend" aria-label="Legend">
        {Object.keys(KIND_STYLE).map((k) => <li key={k} className={`inv-legend-${k}`}>{k}</li>)}
        <li className="inv-legend-malicious">malicious</li>
      </ul>
      <details className="inv-nodes">
        <summary>Graph nodes ({nodes.length})</summary>
        <ul aria-label="Graph nodes">
          {nodes.map((n) => (
            <li key={n.id} data-node-id={n.id} data-node-kind={n.kind} data-malicious={malicious.has(n.id) || undefined}>
              <button type="button" className="link" aria-pressed={selected === n.id} onClick={() => onSelect(n.id)}>
                {n.kind}: {n.label}{malicious.has(n.id) ? ' (malicious)' : ''}
              </button>
            </li>
          ))}
        </ul>
      </details>
    </section>
  );
}
