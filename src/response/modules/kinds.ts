// Every module kind threatlink knows. Adding one is a file in modules/ and a line here.
import type { ModuleKind } from './kind.js';
import { exchangeSightingsKind } from './exchange-sightings/index.js';
import { relayKind } from './relay/index.js';
import { feedKind } from './feeds/index.js';
import { devicesKind } from './devices/index.js';
import { privateIntelKind } from './private-intel.js';

export const MODULE_KINDS: readonly ModuleKind[] = [
  exchangeSightingsKind,
  relayKind,
  feedKind,
  devicesKind,
  privateIntelKind,
];
