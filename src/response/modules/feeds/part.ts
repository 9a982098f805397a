// Feeds as a part of response: at start every org's feed instances are built (each loads
// itself and feeds the shared index), and every batch on its way into the store is tagged
// from that index. Instances made, changed or removed through the API are synced at once (the
// manager's change hook); a timer covers changes made behind the API's back.
import type { ResponsePart } from '../../part.js';
import type { ResponseContext } from '../../context.js';
import { feedIndexOf } from './match-index.js';
import { tagEvents } from './tag-events.js';
import { FeedModule } from './module.js';

/** How soon a feed changed outside the API (another node, the database) is picked up. */
export const FEED_SYNC_MS = 30_000;

/**
 * Builds the live feed modules of one org (or of all) and drops those whose instance is gone
 * or disabled. The module manager builds modules lazily, on a first enrich; a feed must be
 * loaded before any enrich so that ingest can match against it.
 */
export async function syncFeeds(rc: ResponseContext, orgId?: string, waitFirstLoadMs = 0): Promise<void> {
  const orgIds = orgId !== undefined ? [orgId] : (await rc.exchange.stores.orgs.list()).map((o) => o.id);
  for (const id of orgIds) {
    const mods = await rc.modules.modules(id, 'feed');
    // Saved copies are a disk read away: after a restart, tag from the first event on.
    await Promise.all(mods.map((m) => (m instanceof FeedModule ? m.restored : null)));
    if (waitFirstLoadMs > 0) {
      // A feed just made through the API: its first fetch is worth waiting for (bounded), so
      // that the events right after the call are matched against it.
      let timer: NodeJS.Timeout | undefined;
      const limit = new Promise<void>((r) => { timer = setTimeout(r, waitFirstLoadMs); });
      await Promise.race([Promise.all(mods.map((m) => (m instanceof FeedModule ? m.ready.catch(() => {}) : null))), limit]);
      clearTimeout(timer);
    }
    const live = new Set(mods.map((m) => m.instance.id));
    for (const gone of feedIndexOf(rc).instances(id)) if (!live.has(gone)) await rc.modules.forget(id, gone);
  }
}

/** How long an instance API call waits for a new feed's first fetch. */
const FIRST_LOAD_WAIT_MS = 10_000;

const timers = new WeakMap<object, NodeJS.Timeout>();

export const feedsPart: ResponsePart = {
  name: 'feeds',
  async start(rc) {
    await syncFeeds(rc).catch((err: unknown) => rc.log.error({ err }, 'feeds could not be loaded'));
    const timer = setInterval(() => {
      syncFeeds(rc).catch((err: unknown) => rc.log.warn({ err }, 'feed sync failed'));
    }, FEED_SYNC_MS);
    timer.unref();
    timers.set(rc, timer);
    rc.modules.onChange((orgId) => syncFeeds(rc, orgId, FIRST_LOAD_WAIT_MS));
  },
  beforeCommit(rc, items) {
    tagEvents(feedIndexOf(rc), items);
  },
  async close(rc) {
    clearInterval(timers.get(rc));
    timers.delete(rc);
  },
};
