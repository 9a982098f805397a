// connector.properties: the note's `more /ngfw/etc/sf/connector.properties`, validated.
import { ConfigError } from '../../connector/properties.js';
import type { Check, CheckResult } from '../check.js';
import { restartConnector } from '../remedies.js';
import { redactUrl } from '../redact-url.js';

const id = 'properties';
const title = 'connector.properties is valid';

export const propertiesCheck: Check = {
  id,
  title,
  async run(ctx): Promise<CheckResult[]> {
    const c = ctx.config;
    if (!c) {
      const e = ctx.configError;
      const where = e instanceof ConfigError && e.line !== undefined ? ` (line ${e.line})` : '';
      return [{
        id, title, status: 'fail',
        evidence: [e?.message ?? `${ctx.configPath}: not loaded`],
        cause: `${ctx.configPath} cannot be used${where}: ${e?.message ?? 'unknown error'}`,
        remedy: `fix ${ctx.configPath}${where} (\`threatlink connector --help\` lists every key), then ${restartConnector(ctx.remedyTarget)}`,
      }];
    }
    const evidence = [
      `${c.file}`,
      `connector_fqdn=${c.fqdn ? `${c.fqdn.host}:${c.fqdn.port}` : '(not set)'} connector_port=${c.connectorPort} registration_interval=${c.registrationInterval}`,
      `data_dir=${c.dataDir} ca_file=${c.caFile} log_file=${c.logFile}`,
      `cloud_events=${c.cloudEvents ? 'on' : 'off'} spool_max_bytes=${c.spoolMaxBytes} spool_full_policy=${c.spoolFullPolicy}${c.proxy ? ` proxy=${redactUrl(c.proxy)}` : ''}`,
      ...c.sources.map((s) => `source.${s.name}: ${s.type} ${s.endpoint ?? s.path ?? ''}`),
      ...ctx.configWarnings.map((w) => `warning: ${w}`),
    ];
    // Without an exchange the connector can only run its local API (a context may still be
    // created over POST /v1/contexts/, which the snapshot shows).
    if (!c.fqdn && !ctx.snapshot?.exchange) {
      return [{
        id, title, status: 'fail', evidence,
        cause: 'connector_fqdn is not set: the connector has no exchange to send to',
        remedy: `set connector_fqdn=<exchange host[:port]> in ${c.file}, then ${restartConnector(ctx.remedyTarget)}`,
      }];
    }
    if (ctx.configWarnings.length > 0) {
      return [{
        id, title, status: 'warn', evidence,
        cause: ctx.configWarnings[0] as string,
        remedy: `fix or remove the lines named above in ${c.file}`,
      }];
    }
    return [{ id, title, status: 'ok', evidence }];
  },
};
