// tls.<role>: the handshake verified against connectorCA.pem, as `curl --cacert connectorCA.pem`
// does. When verification fails the issuer the server presented is named: a stranger's issuer
// is TLS interception, or an exchange other than the one this connector enrolled with.
import { X509Certificate } from 'node:crypto';
import { goErrorText } from '../../connector/log.js';
import type { Check } from '../check.js';
import type { EndpointProbe } from '../net/endpoint-probe.js';
import { allowByName, SYNC_CLOCK } from '../remedies.js';
import { perRole, via, type RoleVerdict } from './per-role.js';

function caSubject(pem: string | null): string | null {
  if (!pem) return null;
  try {
    return new X509Certificate(pem).subject.replace(/\n/g, ', ');
  } catch {
    return null;
  }
}

function handshakeFailure(p: EndpointProbe, code: string, error: string): RoleVerdict {
  const evidence = [`handshake with ${p.host}:${p.port}${via(p)} failed: ${code} ${error}`];
  if (code === 'ETIMEDOUT') {
    return { status: 'fail', evidence, cause: `TCP connects but the TLS handshake never completes (${error}): something in the path holds the connection`, remedy: allowByName(p.host, p.port) };
  }
  if (/WRONG_VERSION_NUMBER|UNKNOWN_PROTOCOL|HTTP_REQUEST/.test(code)) {
    return { status: 'fail', evidence, cause: `${p.host}:${p.port} does not speak TLS: wrong port in connector_fqdn, or a plain-HTTP service answers`, remedy: 'point connector_fqdn at the exchange\'s HTTPS port' };
  }
  return { status: 'fail', evidence, cause: `the TLS handshake with ${p.host}:${p.port} failed (${code}): the server or a middlebox refuses it`, remedy: allowByName(p.host, p.port) };
}

function judge(p: EndpointProbe, caPem: string | null, caFile: string): RoleVerdict {
  if (!p.tls) return { status: 'skip', evidence: ['no TCP connection to handshake on (see tcp)'] };
  if (!p.tls.ok) return handshakeFailure(p, p.tls.code, p.tls.error);
  const peer = p.tls.peer;
  const evidence = [
    `${p.tls.protocol} in ${p.tls.ms} ms; server certificate ${peer?.subject ?? '(none)'}, issued by ${peer?.issuer ?? '(none)'}, valid until ${peer?.validTo ?? '?'}`,
    `chain: ${peer?.chain.join(' ← ') ?? '(none)'}; top ${peer?.topFingerprint ?? '?'}`,
  ];
  const ours = caSubject(caPem);
  if (!ours) {
    evidence.push(`${caFile} is not there yet (not enrolled): compare the top fingerprint with the one a registration token ends in`);
    return { status: 'skip', evidence };
  }
  if (p.tls.authorized) {
    evidence.push(`verified against ${caFile} (${ours})`);
    return { status: 'ok', evidence };
  }
  const code = p.tls.authorizationError ?? 'UNKNOWN';
  const goText = goErrorText({ name: 'Error', message: code, code }, { host: p.host, port: p.port });
  evidence.push(`not verified against ${caFile} (${ours}): ${code}; the connector logs "${goText}"`);
  if (goText.includes('unknown authority')) {
    return {
      status: 'fail', evidence,
      cause: `${p.host} presented a certificate issued by ${peer?.issuer ?? 'an unknown issuer'}, which ${caFile} does not vouch for: TLS interception by a proxy or firewall, or not the exchange this connector enrolled with`,
      remedy: `exempt ${p.host} from TLS inspection (the connector trusts only its exchange's CA), or point connector_fqdn at the exchange that issued ${caFile}`,
    };
  }
  if (goText.includes('expired or is not yet valid')) {
    return { status: 'fail', evidence, cause: `the server certificate of ${p.host} is expired or not yet valid (valid until ${peer?.validTo}): it lapsed, or this host's clock is wrong (see clock)`, remedy: `${SYNC_CLOCK}; if the clock is right, renew the exchange's TLS certificate` };
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return { status: 'fail', evidence, cause: `the certificate ${peer?.subject ?? ''} is not for ${p.host}: a different server answers (wrong connector_fqdn, or interception)`, remedy: `connector_fqdn must be a name the exchange's certificate carries (\`threatlink up --public-host\`)` };
  }
  return { status: 'fail', evidence, cause: `the server certificate of ${p.host} did not verify: ${goText}`, remedy: `check the exchange's TLS certificate and ${caFile}` };
}

export const tlsCheck: Check = {
  id: 'tls',
  title: 'endpoints present a certificate connectorCA.pem verifies',
  run: (ctx) => {
    const caPem = ctx.caPem;
    const caFile = ctx.config?.caFile ?? 'connectorCA.pem';
    return perRole(ctx, 'tls', (role, p) => `TLS with ${p.host}:${p.port} (${role}) verified against connectorCA.pem`, (_role, p) => judge(p, caPem, caFile));
  },
};
