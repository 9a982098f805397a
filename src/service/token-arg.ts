// A registration token on a command line is there for every local user to read (`ps`,
// /proc/PID/cmdline); a process's environment only for its owner and root. So a connector that
// `threatlink service` starts again gets its --token in THREATLINK_CONNECTOR_TOKEN instead, which
// `threatlink connector` reads as it reads --token.

export const TOKEN_ENV = 'THREATLINK_CONNECTOR_TOKEN';

/** The command line without `--token T` / `--token=T`, and the token it held (the last one, as
 * the option parser takes it). */
export function splitToken(argv: readonly string[]): { argv: string[]; token: string | null } {
  const out: string[] = [];
  let token: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (a === '--token' && i + 1 < argv.length) token = argv[++i] as string;
    else if (a.startsWith('--token=')) token = a.slice('--token='.length);
    else out.push(a);
  }
  return { argv: out, token };
}

/** The environment a started service gets: ours, with the token it was started with or none
 * (one left in our own environment must not enroll a connector that was started without it). */
export function tokenEnv(token: string | null, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env = { ...base };
  delete env[TOKEN_ENV];
  if (token) env[TOKEN_ENV] = token;
  return env;
}
