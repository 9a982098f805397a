// The doctor's output: a verdict line first — the first failing check's cause and remedy, in the
// note's order, passing over failures another failing check explains — then every check with its
// evidence. `--json` carries the same, for scripts.
import { STATUS_RANK, worst, type CheckResult, type Status } from './check.js';

export interface Report {
  verdict: string;
  checks: Array<{ id: string; title: string; status: Status; evidence: string[]; cause: string | null; remedy: string | null }>;
}

/** 0 all ok (skips count as ok), 1 warnings, 2 failures. */
export function exitCode(results: CheckResult[]): number {
  return STATUS_RANK[worst(results.map((r) => r.status))];
}

/** `fail: tcp.eventing: <cause> — remedy: <remedy>`, or `ok: …` when nothing is wrong. */
export function verdict(results: CheckResult[]): string {
  const status = worst(results.map((r) => r.status));
  const failing = results.filter((r) => r.status === status && status !== 'ok');
  const failed = new Set(failing.map((r) => r.id));
  const first = failing.find((r) => !(r.consequenceOf && failed.has(r.consequenceOf))) ?? failing[0];
  if (!first) {
    const skips = results.filter((r) => r.status === 'skip').length;
    return `ok: all ${results.length} checks passed${skips ? ` (${skips} skipped)` : ''}`;
  }
  return `${status}: ${first.id}: ${first.cause ?? first.title}${first.remedy ? ` — remedy: ${first.remedy}` : ''}`;
}

export function jsonReport(results: CheckResult[]): Report {
  return {
    verdict: verdict(results),
    checks: results.map((r) => ({ id: r.id, title: r.title, status: r.status, evidence: r.evidence, cause: r.cause ?? null, remedy: r.remedy ?? null })),
  };
}

const COLOURS: Record<Status, string> = { ok: '32', warn: '33', fail: '31', skip: '2' };
const LABEL: Record<Status, string> = { ok: 'ok', warn: 'WARN', fail: 'FAIL', skip: 'skip' };

export function humanReport(results: CheckResult[], colour: boolean): string {
  const paint = (s: Status, text: string): string => (colour ? `\x1b[${COLOURS[s]}m${text}\x1b[0m` : text);
  const width = Math.max(...results.map((r) => r.id.length));
  const lines = [paint(worst(results.map((r) => r.status)), verdict(results)), ''];
  for (const r of results) {
    lines.push(`${paint(r.status, LABEL[r.status].padEnd(4))}  ${r.id.padEnd(width)}  ${r.title}`);
    const indent = ' '.repeat(width + 8);
    for (const e of r.evidence) lines.push(`${indent}${e}`);
    if (r.cause) lines.push(`${indent}cause:  ${r.cause}`);
    if (r.remedy) lines.push(`${indent}remedy: ${r.remedy}`);
  }
  return `${lines.join('\n')}\n`;
}
