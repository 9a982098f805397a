// POST /iroh/iroh-inspect/inspect: free text in, observables out (refanged, deduplicated).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../../../exchange/api/errors.js';
import type { ResponseContext } from '../../context.js';
import { inspect } from '../../../observables/index.js';
import { requireRole } from '../../../exchange/api/auth-hook.js';
import { checkObservableCount } from './observable-limit.js';

const schema = {
  body: {
    type: 'object',
    required: ['content'],
    properties: { content: { type: 'string', maxLength: 8 * 1024 * 1024 } },
  },
};

export async function inspectRoutes(app: FastifyInstance, rc: ResponseContext): Promise<void> {
  // The server's schemas coerce (for query strings): checked before them, so {"content": 5}
  // is a mistake named, not the text "5".
  const text = async (req: FastifyRequest) => {
    const content = (req.body as { content?: unknown } | null)?.content;
    if (content !== undefined && typeof content !== 'string') throw new ApiError('bad_request', `content must be a string of text, not ${content === null ? 'null' : typeof content}`);
  };
  app.post('/iroh/iroh-inspect/inspect', { preValidation: [requireRole(rc.exchange, 'read-only'), text], schema }, async (req) => {
    const { content } = req.body as { content: string };
    // Bounded like enrich: what inspect finds is what a client sends on to enrich next.
    const found = inspect(content);
    checkObservableCount(rc, found.length, 'the content holds ');
    return found;
  });
}
