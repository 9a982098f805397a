// The incident engine: reads every stored event once, in store order, from its own cursor
// (so a restart neither skips nor repeats a batch), and promotes those an org's rules match.
// Woken by each commit; a timer covers what a wake-up could miss.
import type { ResponseContext } from '../context.js';
import type { PromotionRule } from './rules.js';
import { matches } from './rules.js';
import { promote } from './promote.js';
import type { IncidentSink } from './sink.js';
import { rulesOf } from '../api/incident-rules.js';
import { consoleEventUrl } from '../modules/exchange-sightings/index.js';

export const CURSOR = 'incident-engine';
const BATCH = 1000;
const IDLE_MS = 2000;
/** How long an org's rules are reused before they are read again. */
const RULES_TTL_MS = 2000;

export class IncidentEngine {
  private running = false;
  private again = false;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly rules = new Map<string, { at: number; rules: PromotionRule[] }>();
  private idle: Array<() => void> = [];
  /** Events promoted since start, for the log and tests. */
  promoted = 0;

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
    try {
      for (;;) {
        this.again = false;
        const cursor = await this.rc.stores.cursors.get(CURSOR);
        const { events, cursor: next } = await this.rc.exchange.stores.events.tail(cursor, BATCH);
        for (const e of events) {
          const rule = (await this.rulesFor(e.org_id)).find((r) => matches(r, e));
          if (!rule) continue;
          await promote(this.sink, this.rc.stores.incidents, {
            orgId: e.org_id, event: e, reason: rule.name, severity: rule.severity, windowSeconds: rule.group_window_seconds,
            baseUrl: this.rc.baseUrl(), eventUrl: (id) => consoleEventUrl(this.rc, id),
          });
          this.promoted++;
          // The cursor moves past each promoted event at once: a crash then repeats at most
          // the one event in flight.
          await this.rc.stores.cursors.set(CURSOR, e.id);
        }
        if (events.length > 0) await this.rc.stores.cursors.set(CURSOR, next);
        if (this.stopped || (events.length < BATCH && !this.again)) break;
      }
    } catch (err) {
      this.rc.log.error({ err }, 'incident engine: promotion failed; retrying');
    } finally {
      this.running = false;
      for (const r of this.idle.splice(0)) r();
      if (!this.stopped) {
        this.timer = setTimeout(() => this.wake(), IDLE_MS);
        this.timer.unref();
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    while (this.running) await new Promise((r) => setTimeout(r, 10));
  }
}
