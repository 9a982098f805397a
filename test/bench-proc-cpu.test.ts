// The benchmarks' per-process CPU figures read /proc: they must follow a real process's use.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { processCpuMs } from '../bench/proc-cpu.js';

test('a busy child is seen using CPU, and an idle one not', async () => {
  // Its name holds a space and a parenthesis, as /proc's comm field may.
  // It burns 500 ms of CPU (not of the clock, which a loaded machine would stretch), says so, idles.
  const child = spawn(process.execPath, ['-e', `process.title = "busy (x) y";
    const used = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
    while (used() < 500);
    process.stdout.write("done\\n"); setInterval(() => {}, 1000);`]);
  try {
    await new Promise((r) => child.stdout.once('data', r));
    const busy = processCpuMs(child.pid!);
    assert.ok(busy >= 450, `busy child used ${busy} ms`);
    await new Promise((r) => setTimeout(r, 500));
    const idle = processCpuMs(child.pid!) - busy;
    assert.ok(idle < 200, `idle child used ${idle} ms more`);
  } finally {
    child.kill('SIGKILL');
  }
});

test('a process that is gone reads as NaN, not as zero', async () => {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((r) => child.once('exit', r));
  await new Promise((r) => setTimeout(r, 100));
  assert.ok(Number.isNaN(processCpuMs(child.pid!)));
});
