// At most rc.maxObservables observables a request. Every module of the org works on every one
// of them (the built-ins search the event store for each, relays get the whole list, the answers
// are split per observable for the cache; investigate does all that three times over), so without
// a bound one request of an 8 MiB body could tie up every module of the org. Over the limit is
// refused whole, not cut short: CTR's clients expect the answer for what they sent, and a quietly
// shortened one would read as "nothing found" for the rest.
import type { FastifyRequest } from 'fastify';
import type { ResponseContext } from '../../context.js';
import { ApiError } from '../../../exchange/api/errors.js';

export function checkObservableCount(rc: ResponseContext, count: number, where = ''): void {
  if (count > rc.maxObservables) {
    throw new ApiError('too_many_observables', `${where}${count} observables; at most ${rc.maxObservables} a request`);
  }
}

/** A preValidation hook: the count is checked before the schema walks every item of the list. */
export function observableLimit(rc: ResponseContext, list: (body: unknown) => unknown = (b) => b) {
  return async (req: FastifyRequest): Promise<void> => {
    const l = list(req.body);
    if (Array.isArray(l)) checkObservableCount(rc, l.length);
  };
}
