export type { Observable, ObservableType } from './types.js';
export { OBSERVABLE_TYPES, INSPECT_TYPES, isObservableType } from './types.js';
export { refang } from './refang.js';
export {
  normalizeObservable,
  normalizeDomain,
  normalizePublicDomain,
  normalizeIPv4,
  normalizeIPv6,
  normalizeUrl,
  normalizeEmail,
  normalizeHash,
  normalizeMac,
  normalizeFileName,
  isPublicSuffix,
} from './normalize.js';
export { inspect, extractObservables, FILE_EXTENSIONS } from './extract.js';
export type { InspectOptions } from './extract.js';
