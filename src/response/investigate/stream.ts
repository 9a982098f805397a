// The streamed investigation (Accept: application/x-ndjson), so a caller can show each module
// as it answers instead of waiting for the slowest. One JSON object a line:
//   {"type":"start","observables":[…],"modules":[{module, module_instance_id, module_type_id, verbs}]}
//   {"type":"module","verb":"observe",module…,"answers":[…],"errors":[…]}  per module and verb, as each is done
//   {"type":"result", …the JSON answer of POST /api/v1/investigate}
//   {"type":"error","message":…} instead of the result when the investigation itself broke
import { PassThrough } from 'node:stream';
import type { CtimObservable } from '../../ctim/index.js';
import type { ResponseContext } from '../context.js';
import type { Module } from '../module.js';
import { INVESTIGATE_VERBS, investigate } from './run.js';

export const NDJSON = 'application/x-ndjson';

export function investigationStream(rc: ResponseContext, mods: Module[], obs: CtimObservable[], orgId: string, signal: AbortSignal): PassThrough {
  const out = new PassThrough();
  // A caller that hung up leaves a destroyed stream: the modules' late answers go nowhere.
  const line = (o: object) => { if (out.writable) out.write(`${JSON.stringify(o)}\n`); };
  line({
    type: 'start',
    observables: obs,
    modules: mods
      .map((m) => ({ ...rc.fanout.ref(m), verbs: INVESTIGATE_VERBS.filter((v) => m[v]) }))
      .filter((m) => m.verbs.length > 0),
  });
  investigate(rc, mods, obs, orgId, signal, (verb, ref, share) => {
    line({ type: 'module', verb, ...ref, answers: share.answers.map((a) => a.data), errors: share.errors });
  }).then(
    (result) => line({ type: 'result', ...result }),
    (err: unknown) => {
      rc.log.error({ err }, 'streamed investigation failed');
      line({ type: 'error', message: 'the investigation failed; see the server log' });
    },
  ).finally(() => out.end());
  return out;
}
