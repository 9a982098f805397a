// The troubleshooting note's reachability checks — `curl -v https://HOST --cacert
// connectorCA.pem` and the same on the registration path — expect SSE's answer to a caller
// with no credentials: 403 Forbidden (interfaces.md §2), which the note says proves the path
// works. A 404 there reads as "wrong host". So GET on those paths answers 403, in the API's
// error body, with the same security headers as every answer.
import type { FastifyInstance } from 'fastify';
import { ApiError } from './errors.js';
import { ENROLL_PATH } from './enrollment.js';

const FORBIDDEN = 'forbidden: this path takes no unauthenticated request (this answer proves the exchange is reachable)';

export async function unauthenticatedProbeRoutes(app: FastifyInstance): Promise<void> {
  const forbid = async (): Promise<never> => { throw new ApiError('forbidden', FORBIDDEN); };
  app.get('/', forbid);
  // Devices POST here to enroll (enrollment.ts); the note's curl GETs it.
  app.get(ENROLL_PATH, forbid);
}
