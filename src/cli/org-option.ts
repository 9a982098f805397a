// `--org ID|NAME` on the commands run on the exchange host: by id or by name, as `org list`
// shows both; a name two orgs share is ambiguous.
import type { Org, OrgStore } from '../exchange/store/types.js';

/** The org `--org` names; the first org when `wanted` is absent. */
export async function orgOption(orgs: OrgStore, wanted: string | undefined): Promise<Org> {
  const all = await orgs.list();
  if (wanted === undefined) {
    if (!all[0]) throw new Error('no org yet: start the exchange once first');
    return all[0];
  }
  const named = all.filter((x) => x.name === wanted);
  if (named.length > 1) throw new Error(`--org: ${named.length} orgs are named ${wanted}; give its id (threatlink org list)`);
  const org = all.find((x) => x.id === wanted) ?? named[0];
  if (!org) throw new Error(`--org: no org ${wanted} (threatlink org list shows them)`);
  return org;
}
