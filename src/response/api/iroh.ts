// The CTR-compatible "iroh" API (interfaces.md §3): inspect, enrich, respond, profile and
// module instances.
import type { ResponsePart } from '../part.js';
import { inspectRoutes } from './iroh/inspect.js';
import { enrichRoutes } from './iroh/enrich.js';
import { respondRoutes } from './iroh/respond.js';
import { profileRoutes } from './iroh/profile.js';
import { moduleInstanceRoutes } from './iroh/module-instances.js';

export const irohPart: ResponsePart = {
  name: 'iroh',
  async routes(app, rc) {
    await inspectRoutes(app, rc);
    await enrichRoutes(app, rc);
    await respondRoutes(app, rc);
    await profileRoutes(app, rc);
    await moduleInstanceRoutes(app, rc);
  },
};
