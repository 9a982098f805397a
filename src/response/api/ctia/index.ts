// The CTIA API (interfaces.md §3, §5): the same CRUD, search, count and external-id lookup for
// every entity in ENTITY_SPECS, then what judgements, incidents and casebooks add, bulk and
// bundle, then the by-observable lookups.
import type { ResponsePart } from '../../part.js';
import { ENTITY_SPECS } from './entities.js';
import { crudRoutes } from './crud.js';
import { incidentRoutes } from './incident.js';
import { casebookRoutes } from './casebook.js';
import { byObservableRoutes } from './by-observable.js';
import { bulkRoutes } from './bulk.js';
import { bundleImportRoutes } from './bundle-import.js';
import { bundleExportRoutes } from './bundle-export.js';
import { externalIdRoutes } from './external-id.js';
import { judgementExpireRoutes } from './judgement-expire.js';

export const ctiaPart: ResponsePart = {
  name: 'ctia',
  async routes(app, rc) {
    for (const spec of ENTITY_SPECS) await crudRoutes(app, rc, spec);
    await externalIdRoutes(app, rc);
    await judgementExpireRoutes(app, rc);
    await incidentRoutes(app, rc);
    await casebookRoutes(app, rc);
    await bulkRoutes(app, rc);
    await bundleImportRoutes(app, rc);
    await bundleExportRoutes(app, rc);
    await byObservableRoutes(app, rc);
  },
};
