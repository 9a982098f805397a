// The incident engine: reads every stored event once, in store order, from its own cursor
// (so a restart neither skips nor repeats a batch), and promotes those an org's rules match.
// Woken by each commit; a timer covers what a wake-up could miss.
import { performance } from 'node:perf_hooks';
import type { ResponseContext } from '../context.js';
import type { PromotionRule } from './rules.js';
import { matches, groupKey, candidateFilter } from './rules.js';
import type { StoredEvent } from '../../events/event.js';
import { promote } from './promote.js';
import type { IncidentSink } from './sink.js';
import { rulesOf } from './org-rules.js';
import { consoleEventUrl } from '../modules/exchange-sightings/index.js';

export const CURSOR = 'incident-engine';
const BATCH = 1000;
/** Events read (BATCH a call, filtered or not) before their promotions are written. A group
 * (source, destination, signature) is one promotion a round, each a few committed writes: with
 * a round of 1,000, ~100 of them on the demo's mix, and ~90 µs of CPU an event, more than all
 * the rest of ingest. */
const ROUND = 20_000;
const IDLE_MS = 2000;
/** The engine shares the event loop with ingest: with a backlog it works in slices of
 * SLICE_MS and rests REST_MS between them (at most ~1/3 of the loop: bench:ingest's backlog of
 * 200,000 events went in 9 s, against 18 resting 50 ms). When the loop stayed
 * busy through its rest (ingest saturated: a flood), it rests FLOOD_REST_MS (~1/25 of the
 * loop): devices wait for their acks, an incident can wait a few seconds more. A steady load
 * that leaves the loop room keeps the faster pace, so the engine does not fall behind it.
 * Measured: ~12 % more events/s end to end during a flood. */
const SLICE_MS = 10;
const REST_MS = 20;
const FLOOD_REST_MS = 250;
/** Event-loop utilisation during a rest above which the loop counts as saturated. */
const FLOOD_ELU = 0.8;
/** How often a node that does not lead asks again (the leader's node may have died)... */
const LEAD_RETRY_MS = 5000;
/** ...and at most how often when woken, which every commit on this node does. */
const LEAD_WAKE_MS = 1000;
/** How long an org's rules are reused before they are read again. */
const RULES_TTL_MS = 2000;

/** Events of one group, oldest first, cut where the gap to the previous one exceeds the
 * window (each piece then joins or opens its own incident). Window 0: one event a piece. */
export function splitByWindow(events: StoredEvent[], windowSeconds: number): StoredEvent[][] {
  // Each time parsed once, not in every comparison (a round's group can hold thousands).
  const timed = events.map((e) => ({ e, t: Date.parse(e.time) })).sort((a, b) => a.t - b.t);
  const out: StoredEvent[][] = [];
  let prevT = NaN;
  for (const { e, t } of timed) {
    const cur = out[out.length - 1];
    if (cur && windowSeconds > 0 && t - prevT <= windowSeconds * 1000) cur.push(e);
    else out.push([e]);
    prevT = t;
  }
  return out;
}

export class IncidentEngine {
  private running = false;
  private again = false;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly rules = new Map<string, { at: number; rules: PromotionRule[] }>();
  private idle: Array<() => void> = [];
  /** When this node last found another node leading. */
  private followingSince = -Infinity;
  /** Whether the loop stayed busy through the last rest. */
  private flooding = false;

  constructor(private readonly rc: ResponseContext, private readonly sink: IncidentSink) {}

  start(): void {
    this.wake();
  }

  /** Something was committed: look soon. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    setImmediate(() => void this.run());
  }

  /** Resolves once every event stored so far has been looked at. */
  async drained(): Promise<void> {
    this.wake();
    await new Promise<void>((r) => this.idle.push(r));
  }

  forgetRules(orgId: string): void {
    this.rules.delete(orgId);
  }

  private async rulesFor(orgId: string): Promise<PromotionRule[]> {
    const c = this.rules.get(orgId);
    if (c && Date.now() - c.at < RULES_TTL_MS) return c.rules;
    const rules = await rulesOf(this.rc, orgId);
    this.rules.set(orgId, { at: Date.now(), rules });
    return rules;
  }

  private async run(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    let slice = performance.now();
    let wait = IDLE_MS;
    try {
      for (;;) {
        // With several nodes on one database, one engine promotes; the others stand by. Asked
        // per batch: a node whose lock went with its connection stops at the next one.
        if (!(await this.leads())) {
          wait = LEAD_RETRY_MS;
          break;
        }
        if (performance.now() - slice > SLICE_MS) {
          await this.rest();
          slice = performance.now();
        }
        this.again = false;
        // Read a round of up to ROUND events, BATCH at a time, before promoting any: a group's
        // events across the round become one promotion (a few writes) instead of one a batch.
        let cursor = await this.rc.stores.cursors.get(CURSOR);
        const start = cursor;
        // Only events some rule could take are read as objects (most, on a real sensor, are
        // not): the filter admits every event any org's rule or the defaults might match.
        const filter = candidateFilter(await this.rc.stores.incidents.listAll());
        let calls = 0;
        let more = false;
        const runs = new Map<string, { rule: PromotionRule; orgId: string; events: StoredEvent[] }>();
        do {
          if (performance.now() - slice > SLICE_MS) {
            await this.rest();
            slice = performance.now();
          }
          const page = await this.rc.exchange.stores.events.tail(cursor, BATCH, filter);
          calls++;
          more = page.more;
          cursor = page.cursor;
          for (const e of page.events) {
            const rule = (await this.rulesFor(e.org_id)).find((r) => matches(r, e));
            if (!rule) continue;
            const k = `${e.org_id}\u0000${rule.id}\u0000${groupKey(e)}`;
            let run = runs.get(k);
            if (!run) runs.set(k, (run = { rule, orgId: e.org_id, events: [] }));
            run.events.push(e);
          }
        } while (more && calls < ROUND / BATCH && !this.stopped);
        for (const run of runs.values()) {
          if (performance.now() - slice > SLICE_MS) {
            await this.rest();
            slice = performance.now();
          }
          const skipThrough = (await this.rc.stores.incidents.group(run.orgId, groupKey(run.events[0]!)))?.last_event;
          for (const part of splitByWindow(run.events, run.rule.group_window_seconds)) {
            // A rule's promotion is remembered per group (last_event), so repeating this batch
            // after a crash skips what it already did.
            await promote(this.sink, this.rc.stores.incidents, {
              orgId: run.orgId, events: part, reason: run.rule.name, auto: true, severity: run.rule.severity,
              windowSeconds: run.rule.group_window_seconds, skipThrough, baseUrl: this.rc.baseUrl(), eventUrl: (id) => consoleEventUrl(this.rc, id),
            });
          }
        }
        if (cursor !== start) await this.rc.stores.cursors.set(CURSOR, cursor);
        if (this.stopped || (!more && !this.again)) break;
      }
    } catch (err) {
      this.rc.log.error({ err }, 'incident engine: promotion failed; retrying');
    } finally {
      this.running = false;
      for (const r of this.idle.splice(0)) r();
      if (!this.stopped) {
        this.timer = setTimeout(() => this.wake(), wait);
        this.timer.unref();
      }
    }
  }

  private async rest(): Promise<void> {
    const before = performance.eventLoopUtilization();
    await new Promise((r) => setTimeout(r, this.flooding ? FLOOD_REST_MS : REST_MS));
    this.flooding = performance.eventLoopUtilization(before).utilization > FLOOD_ELU;
  }

  /** Whether this node leads (no round trip while it does). */
  private async leads(): Promise<boolean> {
    if (performance.now() - this.followingSince < LEAD_WAKE_MS) return false;
    const lead = await this.rc.stores.leader.tryLead(CURSOR);
    this.followingSince = lead ? -Infinity : performance.now();
    return lead;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    while (this.running) await new Promise((r) => setTimeout(r, 10));
  }
}
