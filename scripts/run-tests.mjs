// Runs every test file under test/ with node's own runner (through tsx, so tests are TypeScript).
// Node 20's runner takes no globs, so the files are listed here.
//
// Two passes: every file on the embedded default (SQLite, in-process bus), then every file
// that starts a server through the test helpers again on PostgreSQL and NATS JetStream
// (THREATLINK_TEST_BACKEND=postgres+nats: a fresh schema and stream per server). Without
// those services the second pass is skipped and says why; under CI=true that is a failure.
// Files named on the command line: one pass, on whatever backend the environment picks.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.test.ts') ? [p] : [];
  });
}

const conc = process.env.TEST_CONCURRENCY ?? '2';
function run(files, env = {}) {
  // --test-force-exit: a file whose tests are done ends even if a failed test left a server
  // running (test/helpers/process.ts kills the CLI children it started as the file exits).
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-force-exit', `--test-concurrency=${conc}`, ...files], {
    stdio: 'inherit', env: { ...process.env, ...env },
  });
  return r.status ?? 1;
}

const only = process.argv.slice(2);
if (only.length) process.exit(run(only));

const files = walk('test').sort();
// The backend seam: servers started by test/helpers (startTestExchange, startThreatlink).
// The PostgreSQL store tests already run on PostgreSQL in the first pass.
const serverFiles = files.filter((f) => !/store-postgres-/.test(f) && /\b(startTestExchange|startThreatlink)\b/.test(readFileSync(f, 'utf8')));

const say = (s) => process.stdout.write(`\n# ── ${s}\n`);
say(`pass 1 of 2: SQLite and the in-process bus, ${files.length} files`);
const first = run(files);

const why = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/check-services.ts'], { encoding: 'utf8' }).stdout.trim();
let second = 0;
if (why) {
  say(`pass 2 of 2 SKIPPED: PostgreSQL/NATS JetStream not available — ${why}`);
  if (process.env.CI === 'true') {
    say('CI=true: a skipped PostgreSQL/NATS pass is a failure (.ci/services.sh starts them)');
    second = 1;
  }
} else {
  say(`pass 2 of 2: PostgreSQL and NATS JetStream, ${serverFiles.length} files that start a server`);
  second = run(serverFiles, { THREATLINK_TEST_BACKEND: 'postgres+nats' });
}
say(`pass 1 (SQLite): ${first === 0 ? 'ok' : 'FAILED'} · pass 2 (PostgreSQL/NATS): ${why ? 'skipped' : second === 0 ? 'ok' : 'FAILED'}`);
process.exit(first || second);
