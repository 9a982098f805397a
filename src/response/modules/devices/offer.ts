// What respond offers for an observable: block it on every sensor of the org, or lift that.
import type { CtimObservable } from '../../../ctim/index.js';
import type { ResponseAction } from '../../module.js';
import { blockValue } from '../../../protocol/block.js';

export function offers(o: CtimObservable): ResponseAction[] {
  const v = blockValue(o.type, o.value);
  if (!v.ok) return [];
  const q = { observable_type: v.type, observable_value: v.value };
  return [
    {
      id: 'block', title: 'Block on sensors',
      description: `Add ${v.value} to the blocklist of every sensor of this organization`,
      categories: ['Block', 'threatlink', 'Sensors'], 'query-params': q,
    },
    {
      id: 'unblock', title: 'Unblock',
      description: `Remove ${v.value} from the blocklist of every sensor of this organization`,
      categories: ['Unblock', 'threatlink', 'Sensors'], 'query-params': q,
    },
  ];
}
