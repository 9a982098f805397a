// Snort 3 alert_json file source (`type=snort3-json`): follows alert_json.txt (and its rollovers)
// and ships every alert as an intrusion event (map-snort3.ts).
import { JsonLinesSource, type JsonLinesOptions } from './json-lines-source.js';
import { mapSnort3 } from './map-snort3.js';
import type { SourceConfig, SourceSink } from './types.js';

export class Snort3JsonSource extends JsonLinesSource {
  constructor(cfg: SourceConfig, sink: SourceSink, checkpointDir: string, options: JsonLinesOptions = {}) {
    super(cfg, sink, checkpointDir, 'snort3-json', (rec, id) => mapSnort3(rec, id), 'sourceSnort3Json', options);
  }
}
