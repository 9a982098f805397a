// The commands hints and remedies print: each must work when pasted as printed, so it names the
// very service it is about (its --config or --data-dir, never left to a default that may be
// another one) and quotes what a POSIX shell would split.

export function shellArg(s: string): string {
  return /^[\w./:@%+=,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export type ServiceVerb = 'status' | 'enable' | 'disable' | 'restart';

/** `threatlink service VERB NAME OPTION VALUE`: `selector` is what picks this one instance. */
export function serviceCommand(verb: ServiceVerb, name: string, selector: readonly string[]): string {
  return ['threatlink', 'service', verb, name, ...selector.map(shellArg)].join(' ');
}

/** `threatlink service VERB connector --config FILE`. */
export function connectorServiceCommand(verb: ServiceVerb, configFile: string): string {
  return serviceCommand(verb, 'connector', ['--config', configFile]);
}
