// PostgreSQL text cannot hold NUL; a device's strings (a version, a close reason, an event's
// fields) may. Kept as U+FFFD, the replacement character, rather than failing the write.
export function noNul<T>(v: T): T {
  return (typeof v === 'string' && v.includes('\0') ? v.replaceAll('\0', '\uFFFD') : v) as T;
}
