// Applies block / unblock control actions to the files under blocklist_dir, one at a time, and
// says what happened for the control_ack. Plain lists are written last: they are the state, so
// a crash in between leaves Suricata files that the next start rebuilds from them, and the
// action (never acked) comes again from the exchange.
import type { ControlFrame } from '../../protocol/frames.js';
import { blockValue, isBlockAction, type BlockType } from '../../protocol/block.js';
import type { ConnectorLog } from '../log.js';
import { SITES } from '../log.js';
import { applyAction, counts, emptyState, loadState, type BlocklistState } from './state.js';
import { derivedFiles, stateFiles } from './render.js';
import { writeFiles } from './write.js';

export type ControlResult = { status: 'ok' | 'error'; detail?: string };

export class Blocklist {
  private state: BlocklistState = emptyState();
  private queue: Promise<unknown> = Promise.resolve();
  /** Why the directory could not be read at start; actions are refused until it can. */
  private broken: string | null = null;

  constructor(readonly dir: string, private readonly log: ConnectorLog) {}

  /** Reads the lists and brings the Suricata files in line with them, so rules that load them
   * find them even before the first action. Failure is logged, not thrown: events still flow. */
  open(): void {
    try {
      const { state, skipped } = loadState(this.dir);
      for (const s of skipped) this.log.warn(SITES.blocklist, `blocklist ${this.dir}: skipped a line: ${s}`);
      this.sync(state);
      this.state = state;
      this.broken = null;
    } catch (e) {
      this.broken = (e as Error).message;
      this.log.error(SITES.blocklist, `blocklist ${this.dir} unusable, block actions will fail: ${this.broken}`);
    }
  }

  private sync(state: BlocklistState): void {
    writeFiles(this.dir, derivedFiles(state));
    writeFiles(this.dir, stateFiles(state));
  }

  /** One action at a time, in arrival order: the uplink does not wait for one control frame's
   * answer before it reads the next, and block then unblock must not swap. */
  handle(f: ControlFrame): Promise<ControlResult> {
    const run = this.queue.then(() => this.apply(f));
    this.queue = run.catch(() => {});
    return run;
  }

  private apply(f: ControlFrame): ControlResult {
    const action = f.action;
    const p = (f.params ?? {}) as Record<string, unknown>;
    const v = blockValue(p.observable_type, p.observable_value);
    const ref = `action ${typeof p.action_id === 'string' ? p.action_id : f.id}`;
    if (!isBlockAction(action)) return { status: 'error', detail: `not a blocklist action: ${action}` };
    if (!v.ok) {
      this.log.error(SITES.blocklist, `${action} refused (${ref}): ${v.reason}`);
      return { status: 'error', detail: v.reason };
    }
    if (this.broken !== null) this.open();
    if (this.broken !== null) return { status: 'error', detail: `blocklist ${this.dir} unusable: ${this.broken}` };
    const { next, changed } = applyAction(this.state, action, v.type, v.value);
    try {
      // Even when nothing changed: a file deleted by hand comes back.
      this.sync(next);
    } catch (e) {
      const msg = `${action} ${v.type} ${v.value} failed (${ref}): writing ${this.dir}: ${(e as Error).message}`;
      this.log.error(SITES.blocklist, msg);
      return { status: 'error', detail: msg };
    }
    this.state = next;
    const what = action === 'block' ? (changed ? 'added' : 'already blocked') : (changed ? 'removed' : 'was not blocked');
    this.log.info(SITES.blocklist, `${action} ${v.type} ${v.value} (${ref}): ${what}; ${next[v.type].size} ${v.type} value(s) blocked`);
    return { status: 'ok', detail: `${v.type} ${v.value} ${what}` };
  }

  snapshot(): { dir: string; counts: Record<BlockType, number>; error: string | null } {
    return { dir: this.dir, counts: counts(this.state), error: this.broken };
  }
}
