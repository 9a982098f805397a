// The `threatlink` command: one file per subcommand, registered here.
import { Command, CommanderError } from 'commander';
import { VERSION } from '../version.js';
import * as up from './up.js';
import * as caFingerprint from './ca-fingerprint.js';
import * as token from './token.js';
import * as org from './org.js';
import * as connector from './connector.js';

export async function main(argv: string[]): Promise<void> {
  const program = new Command('threatlink')
    .description('sensor events → connector → exchange → response: one self-hosted system')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const m of [up, caFingerprint, token, org, connector]) m.register(program);
  (await import('./service.js')).register(program);
  (await import('./doctor.js')).register(program);
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) process.exit(e.exitCode);
    throw e;
  }
}
