/** The agent's commands: http, tcp, tls, tunnel, start and config. They parse; `run` does the work. */
import { Command, Option } from 'commander';
import { forwardsToFor } from '../agent/addr.ts';
import type { AgentConfigFile } from '../agent/config-file.ts';
import { parseLabels } from '../agent/labels.ts';
import type { ListenSpec } from '../agent/listener.ts';
import { checkSpec } from '../agent/tunnel-messages.ts';
import { tunnelSpecs } from '../agent/tunnels.ts';
import { defaultAgentConfigPath } from '../bootstrap/paths.ts';
import type { TunnelProto } from '../protocol/messages.ts';
import {
  collect,
  endpointOptions,
  withAgentFlags,
  withCidrFlags,
  withHttpModuleFlags,
  withIdentityFlags,
  withHostnameFlags,
  withInspectFlag,
  withPoolingFlag,
  withTerminateTlsFlags,
} from './agent-flags.ts';
import type { AgentFlags, EndpointFlags } from './agent-flags.ts';

/** What one agent invocation should start. */
export interface AgentPlan {
  flags: AgentFlags;
  /** The tunnels to start, given the config file (throws on bad input). */
  specs(config: AgentConfigFile): ListenSpec[];
  /** Session metadata sent in Auth (`start --metadata`). */
  sessionMetadata?: string;
}

export type AgentRunner = (plan: AgentPlan) => Promise<unknown>;
type Run = (plan: AgentPlan) => Promise<void>;

/** The name command-line tunnels carry in logs. */
export const commandLineName = 'command_line';

const addrHelp = 'port, host:port or URL of the local service';

export function agentCommands(runner: AgentRunner): Command[] {
  const run = async (plan: AgentPlan): Promise<void> => void (await runner(plan));
  return [httpCommand(run), tcpCommand(run), tlsCommand(run), tunnelCommand(run), startCommand(run), configCommand()];
}

function httpCommand(run: Run): Command {
  const flags = withPoolingFlag(withHostnameFlags(withAgentFlags(new Command('http'))));
  const cmd = withInspectFlag(withIdentityFlags(withHttpModuleFlags(withCidrFlags(withTerminateTlsFlags(flags)))))
    .description('put a local HTTP service on a public HTTPS URL')
    .argument('<addr>', addrHelp)
    .addOption(new Option('--scheme <scheme>', 'public URL scheme').choices(['https', 'http']).default('https'));
  return cmd.action((addr: string, flags: EndpointFlags) =>
    run({ flags, specs: () => [endpointSpec('http', addr, flags)] }),
  );
}

function tcpCommand(run: Run): Command {
  const cmd = withCidrFlags(withPoolingFlag(withAgentFlags(new Command('tcp'))))
    .description('put a local TCP service on a public TCP address')
    .argument('<addr>', 'port or host:port of the local service')
    .option('--remote-addr <host:port>', 'the public address to bind (reserved or within the edge range)');
  return cmd.action((addr: string, flags: EndpointFlags) =>
    run({ flags, specs: () => [endpointSpec('tcp', addr, flags)] }),
  );
}

function tlsCommand(run: Run): Command {
  const cmd = withCidrFlags(
    withTerminateTlsFlags(withPoolingFlag(withHostnameFlags(withAgentFlags(new Command('tls'))))),
  )
    .description(
      'pass TLS connections for a hostname through to a local TLS service, or with --crt/--key terminate TLS in the agent (the edge never decrypts)',
    )
    .argument('<addr>', 'port or host:port of the local service');
  return cmd.action((addr: string, flags: EndpointFlags) =>
    run({ flags, specs: () => [endpointSpec('tls', addr, flags)] }),
  );
}

function tunnelCommand(run: Run): Command {
  const cmd = withAgentFlags(new Command('tunnel'))
    .description('start a labeled tunnel, selected by an edge backend whose labels it matches')
    .argument('<addr>', addrHelp)
    .requiredOption('--label <name=value>', 'a label (repeat for several)', collect);
  return cmd.action((addr: string, flags: AgentFlags & { label: string[] }) =>
    run({ flags, specs: () => [labeledSpec(addr, flags.label, flags.metadata)] }),
  );
}

function startCommand(run: Run): Command {
  const cmd = withAgentFlags(new Command('start'))
    .description('start tunnels defined in the config file, on one session')
    .argument('[names...]', 'tunnel names from the config file')
    .option('--all', 'start every tunnel in the config file');
  return cmd.action((names: string[], flags: AgentFlags & { all?: boolean }) => {
    const plan: AgentPlan = { flags, specs: (config) => tunnelSpecs(config, names, flags.all ?? false) };
    if (flags.metadata) plan.sessionMetadata = flags.metadata;
    return run(plan);
  });
}

function configCommand(): Command {
  const add = new Command('add-authtoken')
    .description('save the authtoken in the agent config file')
    .argument('<token>', 'the authtoken')
    .option('--config <path>', 'agent config file', defaultAgentConfigPath())
    .action(async (token: string, flags: { config: string }) => {
      try {
        const { saveAuthtoken } = await import('../agent/config-yaml.ts');
        await saveAuthtoken(flags.config, token);
        process.stdout.write(`Authtoken saved to configuration file: ${flags.config}\n`);
      } catch (err) {
        process.stderr.write(`ERROR: ${(err as Error).message}\n`);
        process.exitCode = 1;
      }
    });
  return new Command('config').description('edit the agent config file').addCommand(add);
}

/** The ListenSpec of `portico http|tcp|tls <addr> [flags]`. */
export function endpointSpec(proto: TunnelProto, addr: string, flags: EndpointFlags): ListenSpec {
  const spec = { name: commandLineName, proto, forwardsTo: forwardsToFor(addr, proto), ...endpointOptions(flags) };
  checkSpec(spec);
  return spec;
}

/** The ListenSpec of `portico tunnel --label k=v … <addr>`. */
export function labeledSpec(addr: string, labels: string[], metadata?: string): ListenSpec {
  const spec: ListenSpec = {
    name: commandLineName,
    forwardsTo: forwardsToFor(addr, 'labeled'),
    labels: parseLabels(labels, '--label'),
  };
  if (metadata) spec.metadata = metadata;
  return spec;
}
