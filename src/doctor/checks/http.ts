// http.<role>: any HTTP answer — 403 included, as the note says of its curl — proves the
// endpoint is reachable end to end.
import type { Check } from '../check.js';
import { allowByName } from '../remedies.js';
import { perRole, via } from './per-role.js';

export const httpCheck: Check = {
  id: 'http',
  title: 'endpoints answer HTTP',
  run: (ctx) => perRole(ctx, 'http', (role, p) => `HTTP answer from ${p.url.host} (${role})${via(p)}`, (_role, p) => {
    const path = p.url.pathname;
    if (!p.http) return { status: 'skip', evidence: ['no TLS session to ask on (see tls)'] };
    if (p.http.ok) {
      return { status: 'ok', evidence: [`GET ${path} → HTTP ${p.http.status} in ${p.http.ms} ms (any status, 403 included, proves reachability)`] };
    }
    return {
      status: 'fail',
      evidence: [`GET ${path}: ${p.http.code} ${p.http.error} after ${p.http.ms} ms`],
      cause: `TLS completes but ${p.host} gives no HTTP answer: a proxy or middlebox holds or drops the request`,
      remedy: allowByName(p.host, p.port),
    };
  }),
};
