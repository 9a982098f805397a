// POST /iroh/iroh-inspect/inspect: free text in, observables out (refanged, deduplicated).
import type { FastifyInstance } from 'fastify';
import type { ResponseContext } from '../../context.js';
import { inspect } from '../../../observables/index.js';
import { requireRole } from '../../../exchange/api/auth-hook.js';

const schema = {
  body: {
    type: 'object',
    required: ['content'],
    properties: { content: { type: 'string', maxLength: 8 * 1024 * 1024 } },
  },
};

export async function inspectRoutes(app: FastifyInstance, rc: ResponseContext): Promise<void> {
  app.post('/iroh/iroh-inspect/inspect', { preValidation: requireRole(rc.exchange, 'read-only'), schema }, async (req) => {
    const { content } = req.body as { content: string };
    return inspect(content);
  });
}
