// An enrollment refused, with the exchange's error code (token_expired, ca_mismatch, …).
export class EnrollError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}
