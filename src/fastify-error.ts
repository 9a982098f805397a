// Fastify's own errors (schema validation, a body it cannot parse, a media type it has no parser
// for, a body over the limit) carry codes like FST_ERR_VALIDATION: internals that change between
// Fastify versions. Both HTTP APIs (the exchange's, the connector's local one) answer with the
// stable codes of exchange/api/errors.ts instead, so clients and the doctor can branch on them.
// Those codes are spelled here, not imported: the connector must not load the exchange's code.

type FastifyErrorCode = 'bad_request' | 'payload_too_large' | 'unsupported_media_type' | 'internal';

export interface StableError {
  status: number;
  code: FastifyErrorCode;
}

/** The status and stable code for an error no route handled itself. */
export function stableError(err: { statusCode?: number; validation?: unknown }): StableError {
  if (err.validation) return { status: 400, code: 'bad_request' };
  const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
  const code: FastifyErrorCode = status === 413 ? 'payload_too_large' : status === 415 ? 'unsupported_media_type'
    : status === 500 ? 'internal' : 'bad_request';
  return { status, code };
}
