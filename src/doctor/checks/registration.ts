// Registration state `Enrolled` (GET /v1/contexts/default/status), and the refusals that mean
// the identity is gone: a revoked certificate, a deleted device, a spent or expired token.
import { skipped, type Check, type CheckResult, type LocalSnapshot } from '../check.js';
import { enrollAgain } from '../remedies.js';
import { shellArg } from '../../command-hint.js';
import { SIGNATURES, type Signature } from '../log/signatures.js';

const id = 'registration';
const title = 'the connector is enrolled';

const TOKEN_REFUSED = /\b(token_(?:expired|used|unknown|revoked|malformed))\b/;
const DEVICE_REFUSED = /the exchange refused this device|\b(?:401|403)\b.*\b(?:certificate_revoked|certificate_required|unauthorized|forbidden)\b/i;

// Faults on the way to the exchange that stop an enrollment before it starts: the token is
// not spent, and enrolling again without fixing them fails the same way.
const PATH_FAULTS = new Set(['dial_timeout', 'handshake_timeout', 'connection_refused', 'no_such_host', 'no_route',
  'x509_unknown_authority', 'x509_name_mismatch', 'clock_skew']);

/** The connector's last error, when it is a path fault: why it is still unregistered. */
function pathFault(s: LocalSnapshot): { error: { message: string; time: string }; sig: Signature } | null {
  const error = s.last_error;
  if (!error) return null;
  const sig = SIGNATURES.find((x) => x.pattern.test(error.message));
  return sig && PATH_FAULTS.has(sig.id) ? { error, sig } : null;
}

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
        // Something that is not the connector holds connector_port (or the connector hangs):
        // local_api names that, and enrolling would not get past it.
        ...(/refused/.test(ctx.snapshotError ?? '') ? {} : { consequenceOf: 'local_api' }),
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
    const fault = s.status === 'Unregistered' ? pathFault(s) : null;
    if (fault) {
      const c = ctx.config;
      const where = { role: 'api' as const, host: c.fqdn?.host ?? null, port: c.fqdn?.port ?? null, connectorPort: port, configPath: ctx.configPath };
      const subject = fault.sig.subject?.exec(fault.error.message)?.[1];
      evidence.push(`${fault.error.time}: ${fault.error.message}`);
      return [{
        id, title, status: 'fail', evidence,
        cause: `the connector is Unregistered because its enrollment failed: ${fault.sig.meaning(where)}`,
        remedy: `${fault.sig.remedy(where, subject ? [subject] : [])}; then enroll with the same token (nothing reached the exchange, so it is not spent): \`curl -XPOST localhost:${port}/v1/contexts/default/activations -d '{"token":"<token>"}'\``,
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
