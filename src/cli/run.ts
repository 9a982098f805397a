#!/usr/bin/env node
// Entry point: bin/threatlink.js loads the compiled copy; tests run this file through tsx.
import { main } from './main.js';

main(process.argv).catch((err: unknown) => {
  process.stderr.write(`threatlink: ${(err as Error)?.message ?? String(err)}\n`);
  process.exit(1);
});
