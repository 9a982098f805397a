// One catalog of API errors with stable codes: clients (and the doctor) branch on `error`,
// never on the message text.

export const ERRORS = {
  unauthorized: 401,
  invalid_client: 401,
  invalid_token: 401,
  token_expired: 401,
  token_used: 401,
  token_revoked: 401,
  token_unknown: 401,
  certificate_required: 401,
  certificate_revoked: 403,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  bad_request: 400,
  unsupported_grant_type: 400,
  invalid_request: 400,
  csr_invalid: 400,
  too_many_observables: 400,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof ERRORS;

export class ApiError extends Error {
  readonly status: number;
  constructor(readonly code: ErrorCode, message: string) {
    super(message);
    this.status = ERRORS[code];
  }
}

export function errorBody(code: string, message: string): { error: string; message: string } {
  return { error: code, message };
}
