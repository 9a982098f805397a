// One feed instance, live: loads the saved snapshot and fetches the feed at creation, fetches
// again every refresh_seconds, and answers observe/deliberate from what it holds. A failed
// refresh changes nothing but last_error: the last good copy keeps answering and matching.
import type { CtimObservable, Judgement, Verdict } from '../../../ctim/index.js';
import { dispositionName } from '../../../ctim/index.js';
import type { CallContext, Module, ModuleInstance, ObserveData } from '../../module.js';
import type { ResponseContext } from '../../context.js';
import { isObservableType, type Observable } from '../../../observables/index.js';
import { canonicalType, indicatorKey, typedObservable, type FeedIndicator } from './indicator.js';
import { IpRanges } from './ip-ranges.js';
import type { FeedIndex, FeedOwner } from './match-index.js';
import { parseFeedSettings, type FeedSettings } from './settings.js';
import { loadSnapshot, saveSnapshot, snapshotDir, type Snapshot } from './snapshot.js';
import { fetchFeed } from './fetch.js';
import { parseSnapshot, type ParsedFeed } from './parse.js';
import { feedJudgement, feedVerdict } from './ctim.js';

/** One refresh may take this long before it counts as failed. */
const FETCH_TIMEOUT_MS = 120_000;

export class FeedModule implements Module {
  private readonly settings: FeedSettings;
  private readonly owner: FeedOwner;
  private readonly dir: string;
  private indicators = new Map<string, FeedIndicator>();
  private ranges = new IpRanges<FeedIndicator>();
  private snapshot: Snapshot | null = null;
  private skipped = 0;
  private skippedEntries: ParsedFeed['skippedEntries'] = [];
  private lastRefresh: string | null = null;
  private lastError: { message: string; time: string } | null = null;
  private timer: NodeJS.Timeout | null = null;
  private inflight: AbortController | null = null;
  private closed = false;
  private readonly log: ResponseContext['log'];
  private readonly filesDir: string;
  /** Settles once the saved copy (if any) is loaded: a disk read, no network. */
  readonly restored: Promise<boolean>;
  /** Settles once there is something to answer from: the saved copy, or the first fetch. */
  readonly ready: Promise<void>;

  constructor(readonly instance: ModuleInstance, rc: ResponseContext, private readonly index: FeedIndex) {
    this.settings = parseFeedSettings(instance);
    this.owner = {
      orgId: instance.org_id,
      instanceId: instance.id,
      tags: [`feed:${instance.name}`, `disposition:${dispositionName(this.settings.disposition)}`],
    };
    this.dir = snapshotDir(rc.dataDir, instance.org_id, instance.id);
    this.filesDir = rc.feedFilesDir;
    this.log = rc.log.child({ feed: instance.name, instance: instance.id, org: instance.org_id });
    this.index.attach(this.owner);
    this.restored = this.restore();
    this.ready = this.restored.then((had) => this.start(had));
  }

  private async start(restored: boolean): Promise<void> {
    const first = this.refresh().finally(() => this.schedule());
    // With a saved copy in hand, answering need not wait for the network.
    if (!restored) await first;
  }

  /** The copy saved by an earlier run, if it is of this source and format. */
  private async restore(): Promise<boolean> {
    try {
      const snap = await loadSnapshot(this.dir);
      if (!snap || snap.source !== this.settings.source || snap.format !== this.settings.format || this.closed) return false;
      this.apply(snap, parseSnapshot(this.settings, snap));
      return true;
    } catch (err) {
      this.log.warn({ err }, 'the saved feed copy could not be read; fetching the feed');
      return false;
    }
  }

  private apply(snap: Snapshot, parsed: ParsedFeed): void {
    this.snapshot = snap;
    this.indicators = parsed.indicators;
    this.ranges = parsed.ranges;
    this.skipped = parsed.skipped;
    this.skippedEntries = parsed.skippedEntries;
    this.lastRefresh = snap.fetched_at;
    this.index.replace(this.owner, parsed.indicators);
  }

  private schedule(): void {
    if (this.closed) return;
    this.timer = setTimeout(() => void this.refresh().finally(() => this.schedule()), this.settings.refreshMs);
    // A feed timer alone must never keep the process alive.
    this.timer.unref();
  }

  /** Fetches and parses the feed; on any failure keeps what it had and says why in health. */
  async refresh(): Promise<void> {
    if (this.closed) return;
    const ac = new AbortController();
    this.inflight = ac;
    const deadline = setTimeout(() => ac.abort(new Error(`no complete answer within ${FETCH_TIMEOUT_MS / 1000} s`)), FETCH_TIMEOUT_MS);
    deadline.unref();
    try {
      const snap = await fetchFeed(this.settings, this.snapshot, ac.signal, this.filesDir);
      const parsed = parseSnapshot(this.settings, snap);
      refuseEmptyAfterFull(snap, parsed.indicators.size, this.indicators.size);
      // Saved before it answers: what a restart starts from is never older than what was served.
      await saveSnapshot(this.dir, snap).catch((err: unknown) => this.log.warn({ err }, 'the feed copy could not be saved'));
      if (this.closed) return;
      this.apply(snap, parsed);
      this.lastError = null;
      if (parsed.skipped > 0) this.log.info({ skipped: parsed.skipped, first: parsed.skippedEntries.slice(0, 3) }, 'feed entries skipped');
    } catch (err) {
      if (this.closed) return;
      const message = err instanceof Error ? err.message : String(err);
      this.lastError = { message, time: new Date().toISOString() };
      this.log.warn({ err, source: this.settings.source }, this.indicators.size > 0 ? 'feed refresh failed; keeping the last good copy' : 'feed refresh failed');
    } finally {
      clearTimeout(deadline);
      if (this.inflight === ac) this.inflight = null;
    }
  }

  /** What the feed lists for a canonical observable now: the value itself, else a range holding it. */
  private find(o: Observable, now: number): FeedIndicator | undefined {
    const valid = (ind: FeedIndicator) => (ind.validFrom === undefined || now >= ind.validFrom) && (ind.validUntil === undefined || now < ind.validUntil);
    const exact = this.indicators.get(indicatorKey(o.type, o.value));
    if (exact && valid(exact)) return exact;
    if ((o.type === 'ip' || o.type === 'ipv6') && !o.value.includes('/')) {
      for (const r of this.ranges.holding(o.value)) if (valid(r)) return r;
    }
    return undefined;
  }

  /** The feed's judgements for the asked observables, each with its verdict. */
  private judge(observables: CtimObservable[]): { judgements: Judgement[]; verdicts: Verdict[] } {
    const now = Date.now();
    const judgements: Judgement[] = [];
    const verdicts: Verdict[] = [];
    for (const o of observables) {
      // The asked value in the feed's canonical form; the answer names it as asked.
      const c = isObservableType(o.type) ? typedObservable(canonicalType(o.type), o.value) : null;
      const ind = c ? this.find(c, now) : undefined;
      if (!ind) continue;
      const j = feedJudgement(this.instance, this.settings, o, ind, now);
      judgements.push(j);
      const v = feedVerdict(j, now);
      if (v) verdicts.push(v);
    }
    return { judgements, verdicts };
  }

  async observe(observables: CtimObservable[], _c: CallContext): Promise<ObserveData> {
    await this.ready;
    const { judgements, verdicts } = this.judge(observables);
    if (judgements.length === 0) return {};
    return { judgements: { count: judgements.length, docs: judgements }, verdicts: { count: verdicts.length, docs: verdicts } };
  }

  async deliberate(observables: CtimObservable[], _c: CallContext): Promise<ObserveData> {
    await this.ready;
    const { verdicts } = this.judge(observables);
    return verdicts.length === 0 ? {} : { verdicts: { count: verdicts.length, docs: verdicts } };
  }

  /** Indicators outside their validity window now (STIX valid_from / valid_until): listed by the
   * feed and counted in `indicators`, but matching nothing. */
  private outOfWindow(now: number): { expired: number; not_yet_valid: number } {
    let expired = 0;
    let notYet = 0;
    const count = (ind: FeedIndicator) => {
      if (ind.validUntil !== undefined && now >= ind.validUntil) expired++;
      else if (ind.validFrom !== undefined && now < ind.validFrom) notYet++;
    };
    // Ranges are in indicators too (ip:1.10.16.0/20), so one pass counts every entry once.
    for (const ind of this.indicators.values()) count(ind);
    return { expired, not_yet_valid: notYet };
  }

  async health(_c: CallContext): Promise<{ status: 'ok' } & Record<string, unknown>> {
    const { expired, not_yet_valid } = this.outOfWindow(Date.now());
    return {
      status: 'ok',
      indicators: this.indicators.size,
      indicators_active: this.indicators.size - expired - not_yet_valid,
      expired,
      not_yet_valid,
      ranges: this.ranges.size,
      skipped: this.skipped,
      skipped_entries: this.skippedEntries,
      last_refresh: this.lastRefresh,
      last_error: this.lastError,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.inflight?.abort(new Error('the feed module was closed'));
    this.index.remove(this.owner);
  }
}

/** An empty answer where the last copy listed indicators is a publisher's hiccup (a 200 with no
 * body, a file caught between truncate and write) far more often than a list emptied on purpose:
 * taking it would drop every indicator at once, in silence. */
function refuseEmptyAfterFull(snap: Snapshot, now: number, before: number): void {
  if (now > 0 || before === 0) return;
  if (Object.values(snap.files).some((text) => text.trim() !== '')) return;
  throw new Error(`the source answered empty where the last good copy listed ${before} indicator(s); that copy is kept. To empty the feed on purpose, disable or delete it`);
}
