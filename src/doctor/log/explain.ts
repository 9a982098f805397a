// One error message (a device's last_error, as its heartbeat reported it) → the known fault it
// shows, with meaning and remedy. For the exchange's view of a device, which knows neither the
// logging site nor the sensor's config: the texts name "the exchange" and default paths.
import { SIGNATURES } from './signatures.js';

export interface Explanation {
  signature: string;
  severity: 'fail' | 'warn';
  meaning: string;
  remedy: string;
}

const NOWHERE = { role: null, host: null, port: null, connectorPort: undefined } as const;

export function explainMessage(message: string): Explanation | null {
  const sig = SIGNATURES.find((s) => s.pattern.test(message));
  if (!sig) return null;
  const subject = sig.subject?.exec(message)?.[1];
  return {
    signature: sig.id,
    severity: sig.severity,
    meaning: sig.meaning(NOWHERE),
    remedy: sig.remedy(NOWHERE, subject ? [subject] : []),
  };
}
