/**
 * Observable types, as named by CTIM (the Cisco Threat Intelligence Model).
 *
 * `inspect` currently emits: ip, ipv6, domain, url, email, md5, sha1, sha256,
 * mac_address, file_name. `hostname`, `user` and `file_path` are part of the
 * type for callers that build observables by other means (sensor events,
 * casebooks); the free-text extractor never produces them.
 */
export type ObservableType =
  | 'ip'
  | 'ipv6'
  | 'domain'
  | 'url'
  | 'email'
  | 'md5'
  | 'sha1'
  | 'sha256'
  | 'mac_address'
  | 'file_name'
  | 'hostname'
  | 'user'
  | 'file_path';

export interface Observable {
  type: ObservableType;
  value: string;
}

/** The types that {@link inspect} can emit. */
export const INSPECT_TYPES: readonly ObservableType[] = [
  'ip', 'ipv6', 'domain', 'url', 'email', 'md5', 'sha1', 'sha256', 'mac_address', 'file_name',
];

/** Every type in {@link ObservableType}, in a stable order. */
export const OBSERVABLE_TYPES: readonly ObservableType[] = [...INSPECT_TYPES, 'hostname', 'user', 'file_path'];

export function isObservableType(s: string): s is ObservableType {
  return (OBSERVABLE_TYPES as readonly string[]).includes(s);
}
