// The note finds the connector's sockets with `lsof -i | grep conn`: lsof's COMMAND column is
// the kernel's task name (/proc/<pid>/comm, shown to 9 characters), which for us is "node".
// Only that name changes, not process.title: process.title rewrites /proc/<pid>/cmdline, which
// `threatlink service` reads to tell a connector from a reused pid and to restart it with the
// same flags.
import { writeFileSync } from 'node:fs';

/** What lsof, ps -e and top show for the connector process: the SSEConnector's own name. */
export const CONNECTOR_COMM = 'connector';

/** Names this process (its main thread) `name`; false where /proc/self/comm cannot be written. */
export function setProcessComm(name: string = CONNECTOR_COMM): boolean {
  try {
    // The kernel keeps 15 bytes; /proc/self is the main thread, whose name lsof and ps show.
    writeFileSync('/proc/self/comm', name.slice(0, 15));
    return true;
  } catch {
    // Not Linux, or /proc read-only: only the lsof grep is lost, so the connector runs anyway.
    return false;
  }
}
