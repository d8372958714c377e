/** `portico trust [--uninstall]`: the local edge CA into (or out of) this machine's trust stores. */
import { Command } from 'commander';
import { defaultDataDir } from '../bootstrap/paths.ts';
import { isPorticoError } from '../errors/catalogue.ts';
import type { TrustOptions, TrustReport } from '../trust/trust.ts';

interface TrustFlags {
  dataDir: string;
  caCert?: string;
  uninstall?: boolean;
  system: boolean;
  nss: boolean;
}

export function trustCommand(): Command {
  return new Command('trust')
    .description(
      "install the local edge's CA into the system trust store and the browsers' NSS stores (Chrome, Chromium, Firefox), so https://*.localhost is trusted",
    )
    .option(
      '--data-dir <dir>',
      "the edge data directory whose CA to trust: its bootstrap.json's ca_cert, else ca/ca.pem ($PORTICO_DATA_DIR)",
      defaultDataDir(),
    )
    .option('--ca-cert <path>', 'the CA certificate (PEM) to trust instead')
    .option('--uninstall', 'remove the CA from those stores instead')
    .option('--no-system', 'leave the system trust store alone')
    .option('--no-nss', "leave the browsers' NSS stores alone")
    .action(async (flags: TrustFlags) => {
      const options: TrustOptions = {
        dataDir: flags.dataDir,
        uninstall: flags.uninstall ?? false,
        skipSystem: !flags.system,
        skipNss: !flags.nss,
      };
      if (flags.caCert) options.caCertPath = flags.caCert;
      try {
        const { trustLocalCa } = await import('../trust/trust.ts');
        const report = await trustLocalCa(options);
        process.stdout.write(formatReport(report, flags.uninstall ?? false));
        if (report.failed) process.exitCode = 1;
      } catch (err) {
        const text = isPorticoError(err) ? `${err.message} (${err.code})` : String(err);
        process.stderr.write(`ERROR: ${text}\n`);
        process.exitCode = 1;
      }
    });
}

/** One line for the CA, one per step, then what Node.js programs need. */
export function formatReport(report: TrustReport, uninstall: boolean): string {
  const { ca } = report;
  const lines = [`${uninstall ? 'Removing' : 'Trusting'} ${ca.name} (SHA-256 ${ca.fingerprint}) from ${ca.path}`];
  for (const step of report.steps) lines.push(`  ${step.status.padEnd(9)}  ${step.store}: ${step.detail}`);
  if (!uninstall) lines.push(`Node.js reads neither store: give Node programs NODE_EXTRA_CA_CERTS=${ca.path}`);
  return `${lines.join('\n')}\n`;
}
