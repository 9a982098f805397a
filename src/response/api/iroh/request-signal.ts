// Aborted when the caller hangs up before the answer is written, so modules stop working for
// nobody. (The request's own 'close' fires once its body is read, so the response is watched.)
import { setMaxListeners } from 'node:events';
import type { FastifyReply } from 'fastify';

export function requestSignal(reply: FastifyReply): AbortSignal {
  const ac = new AbortController();
  // Every module call of every verb listens to it at once: dozens are expected, not a leak.
  setMaxListeners(0, ac.signal);
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) ac.abort(new Error('client went away'));
  });
  return ac.signal;
}
