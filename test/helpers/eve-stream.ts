// A sensor writing EVE alerts: `total` lines with flow ids from `first` (so each event can be
// found again in the store), appended in `slices` over about `seconds`.
import { openSync, writeSync, closeSync } from 'node:fs';
import { demoAlert } from '../../src/connector/demo/simulator.js';

export async function writeEveStream(eve: string, o: { first?: number; total: number; seconds: number; slices?: number }): Promise<void> {
  const first = o.first ?? 0;
  const slices = o.slices ?? 50;
  const per = o.total / slices;
  const fd = openSync(eve, 'a');
  try {
    for (let s = 0; s < slices; s++) {
      const lines: string[] = [];
      for (let i = 0; i < per; i++) {
        const rec = demoAlert();
        rec.flow_id = first + s * per + i;
        lines.push(JSON.stringify(rec));
      }
      writeSync(fd, lines.join('\n') + '\n');
      await new Promise((r) => setTimeout(r, (o.seconds * 1000) / slices));
    }
  } finally {
    closeSync(fd);
  }
}
