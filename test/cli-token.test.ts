// `threatlink token list` and `token revoke` on the exchange host: what `token create` made can be
// seen (never its secret) and withdrawn, against a running exchange, without an API client.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tmpDir, cleanup, startTestExchange, enroll } from './helpers/exchange.js';
import { runCliToEnd } from './helpers/process.js';

test('token list shows every org\'s tokens and their state, never a secret; revoke withdraws one the running exchange then refuses', { timeout: 120_000 }, async () => {
  const dir = tmpDir('tl-cli-token-');
  const t = await startTestExchange(dir, { store: 'sqlite' });
  try {
    const cli = (...args: string[]) => runCliToEnd([...args, '--data-dir', dir], { THREATLINK_STORE: 'sqlite' }, 30_000);
    const org = JSON.parse((await cli('org', 'create', 'blue-team', '--json')).stdout);
    const a = JSON.parse((await cli('token', 'create', '--json')).stdout);
    const b = JSON.parse((await cli('token', 'create', '--org', 'blue-team', '--uses', '2', '--device', 'sensor-9', '--json')).stdout);

    const list = await cli('token', 'list', '--json');
    assert.equal(list.code, 0, list.stderr);
    const rows = JSON.parse(list.stdout) as Array<Record<string, unknown>>;
    assert.deepEqual(rows.map((r) => r.id).sort(), [a.id, b.id].sort());
    const rb = rows.find((r) => r.id === b.id)!;
    assert.equal(rb.org_id, org.org_id);
    assert.equal(rb.org_name, 'blue-team');
    assert.equal(rb.device_id, 'sensor-9');
    assert.equal(rb.uses_allowed, 2);
    assert.equal(rb.state, 'active');
    for (const out of [list.stdout, (await cli('token', 'list')).stdout]) {
      for (const tok of [a.token, b.token]) assert.ok(!out.includes(tok.split('.')[2]), 'no secret is listed');
    }
    const human = await cli('token', 'list');
    assert.match(human.stdout, new RegExp(`${b.id}\\s+blue-team\\s+active`));

    const byOrg = JSON.parse((await cli('token', 'list', '--org', 'blue-team', '--json')).stdout) as Array<{ id: string }>;
    assert.deepEqual(byOrg.map((r) => r.id), [b.id]);
    const noOrg = await cli('token', 'list', '--org', 'red-team');
    assert.equal(noOrg.code, 1);
    assert.match(noOrg.stderr, /--org: no org red-team/);

    // By its id, or by the whole token as create printed it.
    const revoked = await cli('token', 'revoke', a.token, '--json');
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.deepEqual(JSON.parse(revoked.stdout), { id: a.id, org_id: a.org_id, revoked: true });
    const refused = await enroll(t, a.token);
    assert.equal(refused.r.status, 401, refused.r.text);
    assert.equal(refused.r.body.error, 'token_revoked');
    const after = JSON.parse((await cli('token', 'list', '--json')).stdout) as Array<{ id: string; state: string; revoked: boolean }>;
    assert.deepEqual(after.find((r) => r.id === a.id), { ...after.find((r) => r.id === a.id), state: 'revoked', revoked: true });

    const human2 = await cli('token', 'revoke', b.id);
    assert.equal(human2.code, 0, human2.stderr);
    assert.match(human2.stdout, new RegExp(`revoked registration token ${b.id} \\(org blue-team\\)`));

    const unknown = await cli('token', 'revoke', 'no-such-id');
    assert.equal(unknown.code, 1);
    assert.equal(unknown.stdout, '');
    assert.match(unknown.stderr, /no registration token no-such-id \(threatlink token list shows them\)/);
  } finally {
    await t.close();
    cleanup(dir);
  }
});

test('token list and revoke have --help', async () => {
  for (const cmd of [['token', 'list'], ['token', 'revoke']]) {
    const r = await runCliToEnd([...cmd, '--help']);
    assert.equal(r.code, 0, cmd.join(' '));
    assert.match(r.stdout, new RegExp(`Usage: threatlink ${cmd.join(' ')}`));
  }
});
