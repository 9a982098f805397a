// The note's first step: is "Cisco Cloud Event Configuration" on? Here it is two switches — the
// local cloud_events key and what the exchange last told this device — and both must be on.
import { readFileSync } from 'node:fs';
import { parseProperties } from '../../connector/properties.js';
import { skipped, type Check, type CheckResult } from '../check.js';
import { restartConnector } from '../remedies.js';

const id = 'cloud_events';
const title = 'cloud events are enabled';

function keyLine(file: string): string {
  try {
    const line = parseProperties(readFileSync(file, 'utf8'), file).lines.get('cloud_events');
    return line === undefined ? '' : `:${line}`;
  } catch {
    return '';
  }
}

export const cloudEventsCheck: Check = {
  id,
  title,
  async run(ctx): Promise<CheckResult[]> {
    const c = ctx.config;
    if (!c) return [skipped(id, title, 'needs a readable connector.properties (see properties)')];
    const s = ctx.snapshot?.cloud_events;
    const evidence = [
      `connector.properties: cloud_events=${c.cloudEvents ? 'on' : 'off'}`,
      s ? `the exchange last said: ${s.exchange ? 'on' : 'off'}; effective: ${s.effective ? 'on' : 'off'}` : `what the exchange said is unknown: the local API did not answer (${ctx.snapshotError})`,
    ];
    if (!c.cloudEvents) {
      return [{
        id, title, status: 'fail', evidence,
        cause: `cloud_events=off in ${c.file}${keyLine(c.file)}: the connector reads and sends nothing`,
        remedy: `set cloud_events=on in ${c.file}, then ${restartConnector(ctx.remedyTarget)}`,
      }];
    }
    if (!s) return [{ id, title, status: 'skip', evidence }];
    if (!s.exchange) {
      const dev = ctx.snapshot?.registration.device_id ?? '<device id>';
      return [{
        id, title, status: 'fail', evidence,
        cause: 'the exchange switched cloud events off for this device: nothing is sent',
        remedy: `turn it back on at the exchange: PATCH /api/v1/devices/${dev} {"cloud_events":true} with an admin API client`,
      }];
    }
    return [{ id, title, status: 'ok', evidence }];
  },
};
