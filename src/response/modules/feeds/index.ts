// The `feed` module kind: threat-intel feeds (plain lists, CSV, MISP feeds, STIX 2.1 bundles)
// as judgements and verdicts, and as tags on the events that name what they list (part.ts).
import type { ModuleKind } from '../kind.js';
import type { Module, ModuleInstance } from '../../module.js';
import { ModuleError } from '../../module.js';
import { parseFeedSettings } from './settings.js';
import { insideDir, isUrl } from './source.js';
import { ModuleConfigError } from '../kind.js';
import { FeedModule } from './module.js';
import { feedIndexOf } from './match-index.js';

/** An instance stored with settings that no longer check out (written past the API): it
 * answers with the reason instead of taking the org's other modules down with it. */
function misconfigured(instance: ModuleInstance, err: Error): Module {
  const fail = async (): Promise<never> => { throw new ModuleError('invalid_configuration', err.message); };
  return { instance, observe: fail, deliberate: fail, health: fail };
}

export const feedKind: ModuleKind = {
  kind: 'feed',
  typeId: 'threatlink.feed',
  description: 'Threat intelligence feed',
  validate(m, rc) {
    const s = parseFeedSettings(m);
    if (!isUrl(s.source) && !insideDir(s.source, rc.feedFilesDir)) {
      throw new ModuleConfigError('settings.source', `${s.source} is outside ${rc.feedFilesDir}, the only directory feeds may read files from on this server (its operator sets it with --feed-files-dir)`);
    }
  },
  create(m, rc) {
    try {
      return new FeedModule(m, rc, feedIndexOf(rc));
    } catch (err) {
      rc.log.error({ err, instance: m.id, org: m.org_id }, 'feed instance is misconfigured');
      return misconfigured(m, err as Error);
    }
  },
};
