// Suricata EVE JSON file source (`type=eve`): follows eve.json and ships alerts, anomalies, drops
// and fileinfo records (map-eve.ts); the other record types are skipped.
import { JsonLinesSource, type JsonLinesOptions } from './json-lines-source.js';
import { mapEve } from './map-eve.js';
import type { SourceConfig, SourceSink } from './types.js';

export class EveSource extends JsonLinesSource {
  constructor(cfg: SourceConfig, sink: SourceSink, checkpointDir: string, options: JsonLinesOptions = {}) {
    super(cfg, sink, checkpointDir, 'eve', mapEve, 'sourceEve', options);
  }
}
