import type { ModuleKind } from './kind.js';

export const exchangeSightingsKind: ModuleKind = {
  kind: 'exchange-sightings',
  typeId: 'threatlink.exchange-sightings',
  description: 'Exchange sightings',
  builtin: true,
  create: (instance) => ({ instance }),
};
