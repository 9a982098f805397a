// Per module: which verbs it still owes the investigation, and what failed. Built from the
// streamed lines: "start" names every module and its verbs; each "module" line settles one verb.
import type { ModuleFailure, ModuleRef, StreamLine } from './investigateApi';

export interface ModuleProgress {
  ref: ModuleRef;
  pending: string[];
  errors: Array<ModuleFailure & { verb: string }>;
}

export function progressStep(cur: ModuleProgress[], line: StreamLine): ModuleProgress[] {
  if (line.type === 'start') {
    return line.modules.map((m) => ({
      ref: { module: m.module, module_instance_id: m.module_instance_id, module_type_id: m.module_type_id }, pending: m.verbs, errors: [],
    }));
  }
  if (line.type !== 'module') return cur;
  return cur.map((m) => (m.ref.module_instance_id !== line.module_instance_id ? m : {
    ...m,
    pending: m.pending.filter((v) => v !== line.verb),
    errors: [...m.errors, ...line.errors.map((e) => ({ ...e, verb: line.verb }))],
  }));
}

export const stateOf = (m: ModuleProgress) => (m.pending.length > 0 ? 'answering' : m.errors.length > 0 ? 'failed' : 'done');
