// Every file of the blocklist directory, from the state: path (relative) → content.
import { BLOCK_TYPES } from '../../protocol/block.js';
import { plainListFile, sorted, type BlocklistState } from './state.js';
import { iprepCategories, iprepList, sha256Dataset, stringDataset } from './suricata.js';

export interface RenderedFile {
  path: string;
  content: string;
}

/** Files derived for Suricata; rebuilt from the plain lists whenever they could differ. */
export function derivedFiles(s: BlocklistState): RenderedFile[] {
  return [
    { path: 'iprep/categories.txt', content: iprepCategories() },
    { path: 'iprep/threatlink.list', content: iprepList([...sorted(s.ip), ...sorted(s.ipv6)]) },
    { path: 'domain.lst', content: stringDataset(sorted(s.domain)) },
    { path: 'url.lst', content: stringDataset(sorted(s.url)) },
    { path: 'sha256.lst', content: sha256Dataset(sorted(s.sha256)) },
  ];
}

/** The plain lists: the state itself. */
export function stateFiles(s: BlocklistState): RenderedFile[] {
  return BLOCK_TYPES.map((t) => {
    const v = sorted(s[t]);
    return { path: plainListFile(t), content: v.length === 0 ? '' : `${v.join('\n')}\n` };
  });
}
