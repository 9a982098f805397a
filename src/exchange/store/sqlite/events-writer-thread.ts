// The writer thread's entry (see events-writer.ts): its own connection to the database file,
// on which it runs every write of the event store (commits, the background indexer, pruning)
// for the main thread, one message at a time.
import { parentPort, workerData } from 'node:worker_threads';
import { openDb } from './db.js';
import { SqliteEventStore } from './events.js';
import { rowsOf } from './events-commit.js';
import type { WriterReply, WriterRequest } from './events-writer.js';

const port = parentPort;
if (port === null) throw new Error('events-writer-thread.ts runs as a worker thread');
const db = openDb((workerData as { file: string }).file);
const store = new SqliteEventStore(db);

port.on('message', (m: WriterRequest) => {
  let reply: WriterReply;
  try {
    switch (m.op) {
      case 'commit': {
        const inserted = store.commitRows(rowsOf(m.bytes, m.count));
        port.postMessage({ id: m.id, ok: true, inserted } satisfies WriterReply, [inserted.buffer as ArrayBuffer]);
        return;
      }
      case 'prune':
        reply = { id: m.id, ok: true, n: store.pruneSync(m.limit, m.before) };
        break;
      case 'close':
        store.stop();
        if (db.open) db.close();
        port.postMessage({ id: m.id, ok: true } satisfies WriterReply);
        port.close();
        return;
    }
  } catch (err) {
    const e = err as Error & { code?: unknown };
    reply = { id: m.id, ok: false, message: e.message, code: typeof e.code === 'string' ? e.code : undefined };
  }
  port.postMessage(reply);
});
