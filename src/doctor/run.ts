// Runs every check at once under the doctor's deadline. A check that throws or overruns becomes
// a `fail` result naming what went wrong: the report always has every check.
import type { Check, CheckResult, DoctorContext } from './check.js';
import { CHECKS } from './checks/index.js';
import { buildContext, type DoctorOptions } from './context.js';
import { within } from './net/within.js';

export interface Progress {
  (done: number, total: number, pending: string[]): void;
}

async function runOne(c: Check, ctx: DoctorContext): Promise<CheckResult[]> {
  let overran = false;
  try {
    // The checks bound their own waits; this is the backstop if one does not.
    return await within(c.run(ctx), Math.max(0, ctx.deadline - Date.now()) + 500, () => (overran = true));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const what = overran ? 'did not finish before the doctor\'s deadline' : `failed inside: ${err.message}`;
    return [{ id: c.id, title: c.title, status: 'fail', evidence: [`${err.code ?? err.name}: ${err.message}`], cause: `the ${c.id} check ${what}`, remedy: 'report this with `threatlink doctor --json` output' }];
  }
}

/** Everything `threatlink doctor` does short of printing. */
export async function runDoctor(o: DoctorOptions, progress?: Progress): Promise<CheckResult[]> {
  const ctx = await buildContext(o);
  const pending = new Set(CHECKS.map((c) => c.id));
  const results = await Promise.all(CHECKS.map(async (c) => {
    const r = await runOne(c, ctx);
    pending.delete(c.id);
    progress?.(CHECKS.length - pending.size, CHECKS.length, [...pending]);
    return r;
  }));
  return results.flat();
}
