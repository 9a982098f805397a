// A registration token carries, besides its id and secret, the SHA-256 fingerprint of the
// exchange CA. A device that holds only the token and the exchange's address can then check
// that it reached the right exchange before trusting anything it says (kubeadm's discovery hash).
//
//   tlr1.<id>.<secret>.<ca sha256 hex>

const PREFIX = 'tlr1';

export interface RegistrationTokenParts {
  id: string;
  secret: string;
  /** `sha256:<hex>` of the exchange CA certificate. */
  caFingerprint: string;
}

export function formatRegistrationToken(p: RegistrationTokenParts): string {
  const hex = p.caFingerprint.replace(/^sha256:/, '');
  return `${PREFIX}.${p.id}.${p.secret}.${hex}`;
}

/** Null when the string is not a registration token of this form. */
export function parseRegistrationToken(token: string): RegistrationTokenParts | null {
  const parts = token.trim().split('.');
  if (parts.length !== 4 || parts[0] !== PREFIX) return null;
  const [, id, secret, hex] = parts as [string, string, string, string];
  if (!/^[A-Za-z0-9_-]{8,64}$/.test(id) || !/^[A-Za-z0-9_-]{16,128}$/.test(secret)) return null;
  if (!/^[0-9a-f]{64}$/.test(hex)) return null;
  return { id, secret, caFingerprint: `sha256:${hex}` };
}
