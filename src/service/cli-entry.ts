// How to run this CLI again as a new process: node, the loader flags this process got (tsx when
// run from source), and the entry beside this module. Not process.argv[1]: inside a test runner
// that is the test file, which would then run itself.
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const LOADER_FLAGS = new Set(['--import', '--require', '-r', '--loader', '--experimental-loader']);

/**
 * A bare loader name (`tsx`) resolves against the cwd, and a service starts in its data dir:
 * name the file instead, resolved from here (the package's own node_modules).
 */
function absolute(spec: string): string {
  if (spec.startsWith('.') || spec.startsWith('/') || /^[a-z]+:/i.test(spec)) return spec;
  try {
    return import.meta.resolve(spec);
  } catch {
    return spec;
  }
}

function loaderArgs(execArgv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const a = execArgv[i] as string;
    const eq = a.indexOf('=');
    if (LOADER_FLAGS.has(a) && execArgv[i + 1] !== undefined) out.push(a, absolute(execArgv[++i] as string));
    else if (eq > 0 && LOADER_FLAGS.has(a.slice(0, eq))) out.push(a.slice(0, eq), absolute(a.slice(eq + 1)));
  }
  return out;
}

export function cliArgv(): string[] {
  const here = fileURLToPath(import.meta.url);
  // src/service/cli-entry.ts → src/cli/run.ts; dist/service/cli-entry.js → dist/cli/run.js.
  const entry = join(dirname(here), '..', 'cli', `run${extname(here)}`);
  return [process.execPath, ...loaderArgs(process.execArgv), entry];
}
