// A plain list: one observable per line. `#` and `;` start comments (whole-line or trailing);
// only the first word of a line counts, so "1.2.3.4  # C2" and "evil.com,2024-01-01" work,
// except in hosts-file lines, where the name after the address is the entry. A trailing comment
// is the entry's reason (Spamhaus DROP's "1.10.16.0/20 ; SBL256894"), which its judgement gives.
import type { ObservableType } from '../../../../observables/index.js';
import { detectObservable, reasonText, typedObservable, whyNot } from '../indicator.js';
import { emptyResult, skip, type ParseResult } from './result.js';

const SINKHOLES = new Set(['0.0.0.0', '127.0.0.1', '::', '::1']);
/** The lines a hosts file has for the machine itself (StevenBlack's lists start with them). */
const SELF = new Set(['localhost', 'localhost.localdomain', 'local', 'broadcasthost', 'ip6-localhost', 'ip6-loopback', '0.0.0.0']);

/** The comment after the entry on its line, if any: what follows `#` or `;` after it. */
function trailingComment(rest: string): string | undefined {
  const m = /^[\s,]*[#;]+\s*(.*?)\s*$/.exec(rest);
  const text = m?.[1];
  return text ? reasonText(text) : undefined;
}

export function parseList(text: string, type?: ObservableType): ParseResult {
  const out = emptyResult();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const s = lines[i]!.trim();
    if (s === '' || s.startsWith('#') || s.startsWith(';') || s.startsWith('//')) continue;
    const words = s.split(/\s+/, 2);
    // A hosts-file blocklist (`0.0.0.0 evil.com`, URLhaus's `127.0.0.1\tevil.com`): the name is
    // the entry, the address only where it sends it.
    const hostsLine = words.length > 1 && SINKHOLES.has(words[0]!) && !/^[#;]/.test(words[1]!);
    let word = hostsLine ? words[1]! : words[0]!;
    // A URL may hold commas and semicolons; anything else ends at them.
    if (!word.includes('://')) word = word.split(/[,;]/, 1)[0]!;
    if (hostsLine && SELF.has(word.toLowerCase())) {
      skip(out, `line ${i + 1}`, s, 'a hosts-file line for this machine, not an entry');
      continue;
    }
    const o = type ? typedObservable(type, word) : detectObservable(word);
    if (o === null) {
      skip(out, `line ${i + 1}`, s, whyNot(type, word));
      continue;
    }
    const reason = trailingComment(s.slice(s.indexOf(word) + word.length));
    out.indicators.push(reason === undefined ? o : { ...o, reason });
  }
  return out;
}
