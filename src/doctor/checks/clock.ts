// Clock skew against the exchange's HTTP Date header. A wrong clock makes valid certificates
// look expired or not yet valid on either side, and puts events at the wrong time.
import { skipped, type Check, type CheckResult } from '../check.js';
import { SYNC_CLOCK } from '../remedies.js';

const id = 'clock';
const title = "this host's clock agrees with the exchange's";
const WARN_S = 30;
const FAIL_S = 300;

export const clockCheck: Check = {
  id,
  title,
  async run(ctx): Promise<CheckResult[]> {
    if (!ctx.endpoints.api) return [skipped(id, title, `no api endpoint known (${ctx.endpointsFrom})`)];
    const p = await ctx.probe('api');
    if (!p.http?.ok) return [skipped(id, title, `the api endpoint gave no HTTP answer to read a Date from (see tcp.api, tls.api, http.api)`)];
    if (!p.http.date) return [skipped(id, title, `${p.url.host} answered without a Date header`)];
    const theirs = Date.parse(p.http.date);
    // The Date was written somewhere between our request and its answer; the middle is the best guess.
    const ours = (p.http.sentAt + p.http.receivedAt) / 2;
    const skew = (ours - theirs) / 1000;
    // Date has whole seconds: up to a second of the difference is the header's rounding.
    const abs = Math.max(0, Math.abs(skew) - 1);
    const evidence = [
      `exchange Date: ${p.http.date} (${new Date(theirs).toISOString()})`,
      `this host: ${new Date(ours).toISOString()}; round trip ${p.http.receivedAt - p.http.sentAt} ms`,
      `skew ${skew >= 0 ? '+' : ''}${skew.toFixed(1)} s (this host ${skew >= 0 ? 'ahead' : 'behind'}; ±1 s, Date has whole seconds)`,
    ];
    if (abs <= WARN_S) return [{ id, title, status: 'ok', evidence }];
    return [{
      id, title, status: abs > FAIL_S ? 'fail' : 'warn', evidence,
      cause: `this host's clock is ${Math.round(Math.abs(skew))} s ${skew >= 0 ? 'ahead of' : 'behind'} the exchange's${abs > FAIL_S ? ': certificates look expired or not yet valid, event times are wrong' : ''}`,
      remedy: SYNC_CLOCK,
    }];
  },
};
