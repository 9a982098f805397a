// Runs `threatlink doctor --config … --json` as the operator would, times it, and finds results
// by their stable ids.
import assert from 'node:assert/strict';
import { runWrappedToEnd } from './wrapped-cli.js';

export interface DoctorCheck {
  id: string;
  title: string;
  status: 'ok' | 'warn' | 'fail' | 'skip';
  evidence: string[] | string;
  cause?: string;
  remedy?: string;
}

export interface DoctorRun {
  code: number | null;
  verdict: string;
  checks: DoctorCheck[];
  ms: number;
  stdout: string;
  stderr: string;
}

/** The issue's bound for one doctor run: each fault named in under 10 s. */
export const DOCTOR_BUDGET_MS = 10_000;

export async function runDoctor(config: string, o: { wrapper?: string[]; args?: string[] } = {}): Promise<DoctorRun> {
  const r = await runWrappedToEnd(o.wrapper ?? [], ['doctor', '--config', config, '--json', ...(o.args ?? [])]);
  let report: { verdict: string; checks: DoctorCheck[] };
  try {
    report = JSON.parse(r.stdout);
  } catch {
    throw new Error(`doctor printed no JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
  return { code: r.code, verdict: report.verdict, checks: report.checks, ms: r.ms, stdout: r.stdout, stderr: r.stderr };
}

export function text(c: DoctorCheck): string {
  return [c.title, ...[c.evidence].flat(), c.cause ?? '', c.remedy ?? ''].join('\n');
}

/** For a failed assertion: every check on one line each, what a reader needs to see why. */
export function summary(d: DoctorRun): string {
  return `verdict ${d.verdict}, exit ${d.code}, ${Math.round(d.ms)} ms\n${d.checks.map((c) => `  ${c.status.padEnd(4)} ${c.id}: ${c.cause ?? [c.evidence].flat()[0] ?? ''}`).join('\n')}`;
}

/** The check with this id (or the first whose id matches) has one of `statuses`, and its text matches `re`. */
export function expectCheck(d: DoctorRun, id: string | RegExp, statuses: DoctorCheck['status'][], re?: RegExp): DoctorCheck {
  const c = d.checks.find((x) => (typeof id === 'string' ? x.id === id : id.test(x.id)));
  assert.ok(c, `no check ${id} in the report:\n${summary(d)}`);
  assert.ok(statuses.includes(c.status), `${c.id} is ${c.status}, expected ${statuses.join('|')}:\n${text(c)}\n\n${summary(d)}`);
  if (re) assert.match(text(c), re, `${c.id} does not say ${re}:\n${text(c)}`);
  return c;
}

/** The doctor named the fault with a failing verdict and an exit code that says so, in budget. */
export function expectNamed(d: DoctorRun): void {
  assert.ok(d.ms < DOCTOR_BUDGET_MS, `the doctor took ${Math.round(d.ms)} ms (budget ${DOCTOR_BUDGET_MS})`);
  assert.ok(d.code === 1 || d.code === 2, `exit ${d.code} for a faulty setup:\n${summary(d)}`);
}
