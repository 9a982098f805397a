// One module call under its deadline: cut off when it overruns (even if it ignores its signal),
// cancelled with the request, and otherwise its own answer or error, unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withDeadline } from '../src/response/enrich/fanout.js';
import { ModuleError } from '../src/response/module.js';

test('a call that ignores its signal is cut off at the deadline, and its signal says why', { timeout: 5000 }, async () => {
  let seen: AbortSignal | undefined;
  const t0 = performance.now();
  await assert.rejects(
    withDeadline(50, undefined, (signal) => {
      seen = signal;
      return new Promise(() => {}); // never settles, never looks at the signal
    }),
    (err: unknown) => err instanceof ModuleError && err.code === 'timeout' && /50 ms/.test(err.message),
  );
  assert.ok(performance.now() - t0 >= 45, 'not before the deadline');
  assert.equal(seen?.aborted, true);
  assert.equal((seen?.reason as ModuleError).code, 'timeout');
});

test('the request going away cancels the call at once', { timeout: 5000 }, async () => {
  const parent = new AbortController();
  let seen: AbortSignal | undefined;
  const call = withDeadline(10_000, parent.signal, (signal) => {
    seen = signal;
    return new Promise(() => {});
  });
  setTimeout(() => parent.abort(new Error('client went away')), 10);
  await assert.rejects(call, (err: unknown) => err instanceof ModuleError && err.code === 'cancelled');
  assert.equal(seen?.aborted, true);
});

test('an answer or an error within the deadline comes back as it is, and nothing is aborted', { timeout: 5000 }, async () => {
  let seen: AbortSignal | undefined;
  assert.deepEqual(await withDeadline(1000, undefined, async (signal) => { seen = signal; return { ok: 1 }; }), { ok: 1 });
  assert.equal(seen?.aborted, false);
  const own = new Error('module broke');
  await assert.rejects(withDeadline(1000, undefined, async () => { throw own; }), (err) => err === own);
  // Settled calls leave no timer behind: a later parent abort changes nothing.
  const parent = new AbortController();
  assert.equal(await withDeadline(1000, parent.signal, async () => 7), 7);
  parent.abort();
});
