// The verdict for an observable (interfaces.md §5): among the judgements valid now, the one
// with the highest priority; then the lowest disposition number (Clean before Malicious before
// Suspicious…); then the earliest start.
import type { Judgement, Verdict } from './entities.js';
import { END_OF_TIME } from './ids.js';

function validAt(j: Judgement, at: number): boolean {
  const start = j.valid_time.start_time ? Date.parse(j.valid_time.start_time) : -Infinity;
  const end = Date.parse(j.valid_time.end_time ?? END_OF_TIME);
  return start <= at && at < end;
}

export function winningJudgement(judgements: readonly Judgement[], at = Date.now()): Judgement | null {
  let best: Judgement | null = null;
  for (const j of judgements) {
    if (!validAt(j, at)) continue;
    if (!best) { best = j; continue; }
    if (j.priority !== best.priority) { if (j.priority > best.priority) best = j; continue; }
    if (j.disposition !== best.disposition) { if (j.disposition < best.disposition) best = j; continue; }
    const js = Date.parse(j.valid_time.start_time ?? '') || -Infinity;
    const bs = Date.parse(best.valid_time.start_time ?? '') || -Infinity;
    if (js < bs) best = j;
  }
  return best;
}

export function verdictOf(judgements: readonly Judgement[], at = Date.now()): Verdict | null {
  const j = winningJudgement(judgements, at);
  if (!j) return null;
  return {
    type: 'verdict',
    disposition: j.disposition,
    disposition_name: j.disposition_name,
    observable: j.observable,
    valid_time: { start_time: j.valid_time.start_time, end_time: j.valid_time.end_time ?? END_OF_TIME },
    judgement_id: j.id,
  };
}
