// `threatlink doctor bundle [--config FILE] [--out FILE]`: a subcommand of `doctor`, which
// registers it by calling registerBundle(doctorCommand). Options given before `bundle`
// (`doctor --config X bundle`) are the doctor's, so those count too.
import type { Command } from 'commander';
import { writeBundle } from '../bundle/bundle.js';
import { DEFAULT_CONNECTOR_CONFIG } from '../doctor/remedies.js';

interface BundleFlags { config?: string; out?: string; json?: boolean; timeout?: string; clientId?: string; clientSecret?: string }


export function registerBundle(doctor: Command): Command {
  return doctor
    .command('bundle')
    .description('write a troubleshoot archive (.tar.gz): config with secrets redacted, logs, local API status, doctor results, versions')
    .option('--config <file>', `connector.properties (default: $THREATLINK_CONNECTOR_CONFIG or ${DEFAULT_CONNECTOR_CONFIG})`)
    .option('--out <file>', 'the archive to write (default ./threatlink-bundle-<host>-<time>.tar.gz)')
    .option('--json', 'print what was written as JSON')
    .addHelpText('after', `
The archive holds:
  connector.properties       registration_token, proxy credentials and every key naming a
                             secret, password or token replaced by ***REDACTED***
  logs/connector.log[.N]     the connector log and its rotated files (tokens scrubbed)
  local-api/*.json           GET /v1/contexts/default and .../status
  doctor.json                threatlink doctor --json
  versions.json              threatlink, Node, the OS, Suricata/Snort when installed
  manifest.json              what is in it and what could not be collected
The device key and certificate are never included.
`)
    .action(async (_o: BundleFlags, cmd: Command) => {
      // The doctor's own flags (--config before `bundle`, --timeout, --client-id …) as defaults.
      const o = { ...cmd.optsWithGlobals<BundleFlags>(), ...cmd.opts<BundleFlags>() } as BundleFlags;
      const timeout = o.timeout === undefined ? undefined : Number(o.timeout);
      const r = await writeBundle({
        config: o.config ?? process.env.THREATLINK_CONNECTOR_CONFIG ?? DEFAULT_CONNECTOR_CONFIG,
        out: o.out,
        ...(timeout !== undefined && Number.isFinite(timeout) ? { timeoutMs: timeout } : {}),
        clientId: o.clientId,
        clientSecret: o.clientSecret,
      });
      if (o.json) {
        process.stdout.write(`${JSON.stringify(r)}\n`);
        process.exit(0);
      }
      process.stdout.write(`wrote ${r.file} (${Math.ceil(r.bytes / 1024)} KiB, ${r.entries.filter((e) => !e.endsWith('/')).length} files)\n`);
      for (const p of r.problems) process.stderr.write(`note: ${p}\n`);
      // As the doctor itself does: a lookup stuck on a black-holed DNS server must not hold the process.
      process.exit(0);
    });
}
