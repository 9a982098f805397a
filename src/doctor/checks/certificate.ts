// The device certificate the connector authenticates with: issued by connectorCA.pem, valid
// now, not about to expire (it renews itself with a third of its life left; 14 days left means
// renewal has been failing).
import { X509Certificate } from 'node:crypto';
import { credentialPaths } from '../../connector/uplink/credentials.js';
import { skipped, type Check, type CheckResult, type DoctorContext } from '../check.js';
import { enrollAgain, SYNC_CLOCK } from '../remedies.js';
import { registrationAtExchange, RegistrationGoneError } from '../../connector/uplink/registration-self.js';
import type { Credentials } from '../../connector/uplink/credentials.js';

const id = 'certificate';
const title = 'the device certificate is valid';
const DAY = 86_400_000;
const WARN_DAYS = 14;

/** Valid on paper is not enough: an exchange that deleted the device refuses the certificate.
 * Asked read only with the certificate itself; unreachable says nothing either way (tcp.*, tls.* do). */
async function honoured(creds: Credentials, timeoutMs: number): Promise<{ refused: string } | { evidence: string }> {
  try {
    const r = await registrationAtExchange(creds, timeoutMs);
    return { evidence: `the exchange at ${creds.registration.exchange} honours it: device ${r.device_id} in org ${r.org_name ?? r.org_id}` };
  } catch (e) {
    if (e instanceof RegistrationGoneError) return { refused: e.message };
    return { evidence: `the exchange at ${creds.registration.exchange} was not asked whether it honours it: ${(e as Error).message}` };
  }
}

/** The exchange's clock from the api endpoint's Date header, when it answered. */
async function exchangeNow(ctx: DoctorContext): Promise<number | null> {
  const p = await ctx.probe('api').catch(() => null);
  return p?.http?.ok && p.http.date ? Date.parse(p.http.date) + (Date.now() - p.http.receivedAt) : null;
}

export const certificateCheck: Check = {
  id,
  title,
  async run(ctx): Promise<CheckResult[]> {
    const creds = ctx.credentials;
    if (!creds || !ctx.config) return [skipped(id, title, ctx.credentialsError ?? 'not enrolled: no device certificate yet (see registration)')];
    const file = credentialPaths(ctx.config.dataDir, ctx.config.caFile).cert;
    const cert = new X509Certificate(creds.cert);
    const ca = new X509Certificate(creds.ca);
    const notBefore = Date.parse(cert.validFrom);
    const notAfter = Date.parse(cert.validTo);
    const now = Date.now();
    const daysLeft = (notAfter - now) / DAY;
    const evidence = [
      `${file}: ${cert.subject.replace(/\n/g, ', ')}, serial ${cert.serialNumber.toLowerCase()}`,
      `valid ${new Date(notBefore).toISOString()} → ${new Date(notAfter).toISOString()} (${daysLeft >= 0 ? `${daysLeft.toFixed(1)} days left` : `expired ${(-daysLeft).toFixed(1)} days ago`})`,
      `issuer ${cert.issuer.replace(/\n/g, ', ')}; connectorCA.pem is ${ca.subject.replace(/\n/g, ', ')}`,
    ];
    const renewal = ctx.snapshot?.certificate?.needs_renewal;
    if (renewal !== undefined) evidence.push(`the connector ${renewal ? 'is due to renew it (a third of its life left)' : 'will renew it when a third of its life is left'}`);

    if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) {
      return [{
        id, title, status: 'fail', evidence,
        cause: `${file} was not issued by ${ctx.config.caFile}: the data dir mixes two enrollments or two exchanges`,
        remedy: enrollAgain(ctx.config.connectorPort),
      }];
    }
    if (now < notBefore || now > notAfter) {
      const theirs = await exchangeNow(ctx);
      if (theirs !== null && theirs >= notBefore && theirs <= notAfter) {
        const skew = Math.round((now - theirs) / 1000);
        evidence.push(`by the exchange's clock (${new Date(theirs).toISOString()}) it is valid`);
        return [{
          id, title, status: 'fail', evidence,
          cause: `this host's clock is ${Math.abs(skew)} s ${skew > 0 ? 'ahead of' : 'behind'} the exchange's, so a valid certificate looks ${now < notBefore ? 'not yet valid' : 'expired'}`,
          remedy: SYNC_CLOCK,
        }];
      }
      return [{
        id, title, status: 'fail', evidence,
        cause: now < notBefore ? 'the device certificate is not valid yet: this host\'s clock is behind' : 'the device certificate has expired: renewal over EST did not happen in time',
        remedy: now < notBefore ? SYNC_CLOCK : enrollAgain(ctx.config.connectorPort),
      }];
    }
    // Asked only where the api endpoint answered: otherwise tcp.*, tls.* already say why, and
    // a dial that would time out again must not eat the doctor's time.
    const reachable = (await ctx.probe('api').catch(() => null))?.http?.ok === true;
    const asked = reachable
      ? await honoured(creds, Math.min(3000, ctx.timeoutMs))
      : { evidence: `the exchange was not asked whether it honours it: the api endpoint did not answer (see tcp.api, tls.api)` };
    if ('refused' in asked) {
      evidence.push(`the exchange at ${creds.registration.exchange} refuses it: ${asked.refused}`);
      return [{
        id, title, status: 'fail', evidence, consequenceOf: 'registration',
        cause: 'the exchange no longer honours this certificate: the device was deleted there or the certificate revoked',
        remedy: enrollAgain(ctx.config.connectorPort),
      }];
    }
    evidence.push(asked.evidence);
    if (daysLeft < WARN_DAYS) {
      return [{
        id, title, status: 'warn', evidence,
        cause: `the device certificate expires in ${daysLeft.toFixed(1)} days and has not been renewed`,
        remedy: 'look for enroll:renewCertificate errors in connector.log and check the est endpoint (tls.est, http.est); if renewal keeps failing, ' + enrollAgain(ctx.config.connectorPort),
      }];
    }
    return [{ id, title, status: 'ok', evidence }];
  },
};
