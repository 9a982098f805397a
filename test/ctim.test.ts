// The CTIM layer: ids and the verdict rule (highest priority, then lowest disposition, then
// earliest start; expired and future judgements do not count).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { storedId, transientId, shortId, verdictOf, dispositionFromName, SCHEMA_VERSION, END_OF_TIME, type Judgement, type Disposition } from '../src/ctim/index.js';
import { DISPOSITIONS } from '../src/ctim/dispositions.js';

const obs = { type: 'domain', value: 'evil.example' };
function judgement(id: string, priority: number, disposition: Disposition, start: string, end?: string): Judgement {
  return {
    id, type: 'judgement', schema_version: SCHEMA_VERSION, source: 'test', observable: obs, disposition,
    disposition_name: DISPOSITIONS[disposition], priority, confidence: 'High', severity: 'High',
    valid_time: { start_time: start, end_time: end },
  };
}

test('ids: stored ids are URLs of the form the CTIA uses; transient ids are stable', () => {
  const id = storedId('https://tl.example:8443/', 'incident');
  assert.match(id, /^https:\/\/tl\.example:8443\/ctia\/incident\/incident-[0-9a-f-]{36}$/);
  assert.match(shortId(id), /^incident-[0-9a-f-]{36}$/);
  assert.equal(transientId('sighting', 'a', 'b'), transientId('sighting', 'a', 'b'));
  assert.notEqual(transientId('sighting', 'a', 'b'), transientId('sighting', 'ab'));
  assert.match(transientId('verdict', 'x'), /^transient:verdict-[0-9a-f]{32}$/);
});

test('verdict: highest priority wins, then lowest disposition number, then earliest start', () => {
  const now = Date.parse('2026-06-01T00:00:00Z');
  const a = judgement('a', 90, 3, '2026-01-01T00:00:00Z');
  const b = judgement('b', 95, 2, '2026-02-01T00:00:00Z');
  assert.equal(verdictOf([a, b], now)?.judgement_id, 'b', 'priority first');
  const c = judgement('c', 95, 1, '2026-03-01T00:00:00Z');
  assert.equal(verdictOf([a, b, c], now)?.judgement_id, 'c', 'then Clean (1) over Malicious (2)');
  const d = judgement('d', 95, 1, '2025-12-01T00:00:00Z');
  assert.equal(verdictOf([a, b, c, d], now)?.judgement_id, 'd', 'then the earliest start');
  const v = verdictOf([a], now)!;
  assert.equal(v.type, 'verdict');
  assert.equal(v.disposition_name, 'Suspicious');
  assert.equal(v.valid_time.end_time, END_OF_TIME, 'a missing end means 2525-01-01');
});

test('verdict: expired and not-yet-valid judgements do not count', () => {
  const now = Date.parse('2026-06-01T00:00:00Z');
  const expired = judgement('old', 100, 2, '2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z');
  const future = judgement('later', 100, 2, '2026-07-01T00:00:00Z');
  const live = judgement('live', 10, 5, '2026-05-01T00:00:00Z');
  assert.equal(verdictOf([expired, future, live], now)?.judgement_id, 'live');
  assert.equal(verdictOf([expired, future], now), null);
});

test('dispositions by name', () => {
  assert.equal(dispositionFromName('malicious'), 2);
  assert.equal(dispositionFromName('Common'), 4);
  assert.equal(dispositionFromName('bad'), null);
});
