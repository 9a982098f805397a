// A feed's local file may be named relative to the server's feed files directory ("ips.txt",
// "intel/ips.txt"): that is the only directory feeds read from, so there is no other place it
// could mean. The path is made absolute here, before the feed kind checks the settings, which
// still refuses whatever lands outside the directory ("../x") and whose reads check it again
// through links.
import { isAbsolute, resolve } from 'node:path';
import type { ModuleInstance } from '../../module.js';

/** A URL (`https:`, `file:`, …) is left alone; a Windows drive path is not a scheme. */
const hasScheme = (s: string) => /^[a-z][a-z0-9+.-]*:/i.test(s) && !/^[a-z]:[\\/]/i.test(s);

/** The settings with a relative `source` resolved under `filesDir`; anything else as given. */
export function resolveFeedSource(settings: ModuleInstance['settings'] | undefined, filesDir: string): ModuleInstance['settings'] | undefined {
  const source = settings?.source;
  if (typeof source !== 'string') return settings;
  const s = source.trim();
  if (s === '' || hasScheme(s) || isAbsolute(s)) return settings;
  return { ...settings, source: resolve(filesDir, s) };
}
