// Registration state `Enrolled` (GET /v1/contexts/default/status), and the refusals that mean
// the identity is gone: a revoked certificate, a deleted device, a spent or expired token.
import { skipped, type Check, type CheckResult, type LocalSnapshot } from '../check.js';
import { enrollAgain } from '../remedies.js';
import { shellArg } from '../../command-hint.js';

const id = 'registration';
const title = 'the connector is enrolled';

const TOKEN_REFUSED = /\b(token_(?:expired|used|unknown|revoked|malformed))\b/;
const DEVICE_REFUSED = /the exchange refused this device|\b(?:401|403)\b.*\b(?:certificate_revoked|certificate_required|unauthorized|forbidden)\b/i;

/** Errors the connector reported, newest first, that are not older than its enrollment. */
function refusals(s: LocalSnapshot): Array<{ message: string; time: string }> {
  const up = 'last_error' in s.uplink ? s.uplink.last_error : null;
  const enrolledAt = 'enrolled_at' in s.registration ? Date.parse(s.registration.enrolled_at ?? '') : NaN;
  return [s.last_error, up]
    .filter((e): e is { message: string; time: string } => Boolean(e))
    .filter((e) => TOKEN_REFUSED.test(e.message) || DEVICE_REFUSED.test(e.message))
    // An error from before a successful enrollment was fixed by it.
    .filter((e) => s.status !== 'Enrolled' || !(Date.parse(e.time) < enrolledAt))
    .sort((a, b) => b.time.localeCompare(a.time));
}

export const registrationCheck: Check = {
  id,
  title,
  async run(ctx): Promise<CheckResult[]> {
    if (!ctx.config) return [skipped(id, title, 'needs a readable connector.properties (see properties)')];
    const port = ctx.config.connectorPort;
    const s = ctx.snapshot;
    const disk = ctx.credentials?.registration;
    if (!s) {
      const evidence = [
        disk ? `enrolled on disk as device ${disk.device_id} (org ${disk.org_name ?? disk.org_id}) since ${disk.enrolled_at}` : `no registration in ${ctx.config.dataDir}`,
        `the live state needs the local API, which did not answer: ${ctx.snapshotError}`,
      ];
      if (ctx.credentialsError) evidence.push(ctx.credentialsError);
      if (disk) return [{ id, title, status: 'skip', evidence }];
      return [{
        id, title, status: 'fail', evidence,
        cause: ctx.credentialsError ?? 'the connector has never enrolled (no device key, certificate and registration.json in data_dir)',
        remedy: `enroll with a registration token: \`threatlink token create\` on the exchange, then \`threatlink connector --config ${shellArg(ctx.configPath)} --token <token>\``,
      }];
    }
    const reg = s.registration;
    const evidence = [
      `status ${s.status}${reg.device_id ? `, device ${reg.device_id}` : ''}${'org_id' in reg ? ` in org ${reg.org_name ?? reg.org_id}` : ''}${'enrolled_at' in reg ? `, enrolled ${reg.enrolled_at}` : ''}`,
    ];
    const refused = refusals(s);
    for (const r of refused) evidence.push(`${r.time}: ${r.message}`);
    const token = refused.map((r) => TOKEN_REFUSED.exec(r.message)?.[1]).find(Boolean);

    if (s.status === 'Revoked' || refused.some((r) => DEVICE_REFUSED.test(r.message))) {
      return [{
        id, title, status: 'fail', evidence,
        cause: 'the exchange refused this device: it was deleted or its certificate revoked',
        remedy: enrollAgain(port),
      }];
    }
    if (token) {
      return [{
        id, title, status: 'fail', evidence,
        cause: `the registration token was refused (${token})${token === 'token_expired' ? ': it expired before it was used' : token === 'token_used' ? ': it was already spent by another enrollment' : ''}`,
        remedy: enrollAgain(port),
      }];
    }
    if (s.status === 'Enrolling') return [{ id, title, status: 'warn', evidence, cause: 'enrollment is in progress', remedy: 'run the doctor again in a few seconds' }];
    if (s.status !== 'Enrolled') {
      return [{
        id, title, status: 'fail', evidence,
        cause: `the connector is ${s.status}: it has no identity to send with`,
        remedy: `enroll with a registration token: \`threatlink token create\` on the exchange, then \`curl -XPOST localhost:${port}/v1/contexts/default/activations -d '{"token":"<token>"}'\``,
      }];
    }
    return [{ id, title, status: 'ok', evidence }];
  },
};
