// What POST /api/v1/investigate answers, and the call itself in its streamed form (NDJSON, one
// line per module as it answers), so the page can show which modules are still answering.
import { postForStream } from '../api';

export interface Observable { type: string; value: string }

export interface ModuleRef { module: string; module_instance_id: string; module_type_id: string }
export interface ModuleFailure extends ModuleRef { code: string; message: string }

export type NodeKind = 'observable' | 'target' | 'sighting' | 'judgement' | 'verdict';

export interface GraphNode {
  id: string;
  kind: NodeKind;
  label: string;
  observable?: Observable;
  module?: string;
  module_instance_id?: string;
  disposition_name?: string;
  severity?: string;
  count?: number;
}

export interface GraphEdge { id: string; source: string; target: string; kind: string; label: string }

export interface Verdict { observable: Observable; disposition: number; disposition_name?: string }

export interface ObservableRow { type: string; value: string; verdict: Verdict | null; sightings: number; modules: string[] }

export interface SightingRow {
  id: string;
  module: string;
  title?: string;
  count?: number;
  severity?: string;
  source_uri?: string;
  observed_time: { start_time: string; end_time?: string };
  observables?: Observable[];
}

export interface JudgementRow {
  id: string;
  module: string;
  observable: Observable;
  disposition_name: string;
  severity?: string;
  source?: string;
  reason?: string;
}

export interface ReferLink extends ModuleRef { id: string; title: string; description: string; url: string }

export interface Investigation {
  observables: Observable[];
  graph: { nodes: GraphNode[]; edges: GraphEdge[] };
  tables: {
    observables: ObservableRow[];
    sightings: SightingRow[];
    judgements: JudgementRow[];
    verdicts: Array<Verdict & { module: string }>;
    refer: ReferLink[];
  };
  errors: Array<ModuleFailure & { verb: string }>;
}

export type StreamLine =
  | { type: 'start'; observables: Observable[]; modules: Array<ModuleRef & { verbs: string[] }> }
  | ({ type: 'module'; verb: string; errors: ModuleFailure[] } & ModuleRef)
  | ({ type: 'result' } & Investigation)
  | { type: 'error'; message: string };

/** Runs an investigation, handing each line to `onLine` as it arrives. */
export async function investigateStream(content: string, onLine: (l: StreamLine) => void, signal: AbortSignal): Promise<void> {
  const r = await postForStream('/api/v1/investigate', { content }, 'application/x-ndjson', signal);
  const reader = r.body!.pipeThrough(new TextDecoderStream()).getReader();
  let rest = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    rest += value;
    const lines = rest.split('\n');
    rest = lines.pop() ?? '';
    for (const l of lines) if (l.trim()) onLine(JSON.parse(l) as StreamLine);
  }
  if (rest.trim()) onLine(JSON.parse(rest) as StreamLine);
}

/** The short id (`casebook-<uuid>`) of a CTIA entity's full id URL, as the API paths take it. */
export const shortId = (id: string) => id.slice(id.lastIndexOf('/') + 1);

export const isMalicious = (v: { disposition_name?: string } | null | undefined) => v?.disposition_name === 'Malicious';
