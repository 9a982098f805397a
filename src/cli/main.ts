// The `threatlink` command: one file per subcommand, registered here. Only the subcommand being
// run is loaded (all of them for the top-level help): a connector on a sensor host should not
// carry the server's code in its memory.
import { Command, CommanderError } from 'commander';
import { VERSION } from '../version.js';
import { UsageError } from './usage-error.js';

/** Exit code of `doctor` when its command line is wrong: nothing was checked. */
export const DOCTOR_USAGE_EXIT = 64;

type CommandModule = { register(program: Command): void };

const COMMANDS: Record<string, () => Promise<CommandModule>> = {
  up: () => import('./up.js'),
  'ca-fingerprint': () => import('./ca-fingerprint.js'),
  token: () => import('./token.js'),
  org: () => import('./org.js'),
  connector: () => import('./connector.js'),
  service: () => import('./service.js'),
  doctor: () => import('./doctor.js'),
};

export async function main(argv: string[]): Promise<void> {
  const program = new Command('threatlink')
    .description('sensor events → connector → exchange → response: one self-hosted system')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  const name = argv[2];
  const wanted = name !== undefined && Object.hasOwn(COMMANDS, name) ? [name] : Object.keys(COMMANDS);
  // A connector process is named as the note's `lsof -i | grep conn` expects (process-name.ts).
  if (name === 'connector') (await import('../connector/process-name.js')).setProcessComm();
  for (const n of wanted) (await COMMANDS[n]!()).register(program);
  try {
    await program.parseAsync(argv);
  } catch (e) {
    // The doctor's 1 and 2 mean warnings and failures found; a command line it could not run
    // must not read as either to a script (sysexits' EX_USAGE).
    if (e instanceof CommanderError) process.exit(e.exitCode !== 0 && name === 'doctor' ? DOCTOR_USAGE_EXIT : e.exitCode);
    if (e instanceof UsageError && name === 'doctor') {
      process.stderr.write(`threatlink: ${e.message}\n`);
      process.exit(DOCTOR_USAGE_EXIT);
    }
    throw e;
  }
}
