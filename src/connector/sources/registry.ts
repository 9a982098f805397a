// One line per source kind: adding a sensor format touches this table and its own file.
import type { Source, SourceConfig, SourceSink, SourceType } from './types.js';
import { EveSource } from './eve.js';
import { Snort3JsonSource } from './snort3-json.js';
import { Unified2Source } from './unified2.js';
import { ZmqSource } from './zmq.js';

type SourceFactory = (cfg: SourceConfig, sink: SourceSink, checkpointDir: string) => Source;

export const SOURCES: Record<SourceType, SourceFactory> = {
  zmq: (c, s) => new ZmqSource(c, s),
  eve: (c, s, d) => new EveSource(c, s, d),
  'snort3-json': (c, s, d) => new Snort3JsonSource(c, s, d),
  unified2: (c, s, d) => new Unified2Source(c, s, d),
};
