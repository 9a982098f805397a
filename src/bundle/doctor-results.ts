// The doctor's findings for the bundle, in the shape `threatlink doctor --json` prints, from the
// same code run in this process.
import { resolve } from 'node:path';
import { runDoctor } from '../doctor/run.js';
import { exitCode, jsonReport } from '../doctor/report.js';

export interface DoctorOptions {
  config: string;
  timeoutMs?: number;
  clientId?: string;
  clientSecret?: string;
}

export interface DoctorRun {
  /** 0 ok, 1 warnings, 2 failures; null when it did not finish. */
  exitCode: number | null;
  /** The JSON report, or null (then `error` says why). */
  report: unknown;
  error: string | null;
}

export async function runDoctorJson(o: DoctorOptions): Promise<DoctorRun> {
  const timeoutMs = o.timeoutMs ?? 3000;
  try {
    const results = await runDoctor({
      configPath: resolve(o.config),
      timeoutMs,
      // The deadline `threatlink doctor` sets itself.
      deadline: Date.now() + Math.max(7000, 2 * timeoutMs + 1000),
      exchangeApi: o.clientId && o.clientSecret ? { clientId: o.clientId, clientSecret: o.clientSecret } : null,
    });
    return { exitCode: exitCode(results), report: jsonReport(results), error: null };
  } catch (e) {
    return { exitCode: null, report: null, error: `the doctor failed: ${(e as Error).message}` };
  }
}
