/**
 * The `portico` program: the edge and the agent commands. What a command runs is loaded when
 * it runs (the edge, the agent, the trust stores), so `portico --help` loads little.
 */
import { Command } from 'commander';
import { mapStackTraces } from '../log/stack-source-maps.ts';
import { agentVersion } from '../agent/version.ts';
import { agentCommands, type AgentPlan } from './agent-commands.ts';
import { edgeCommand } from './edge.ts';
import { accountCommand } from './account.ts';
import { outliveClosedOutput } from './closed-output.ts';

import { singleDashFlagHint } from './single-dash.ts';
import { applyRuntimeSettings } from './runtime-settings.ts';
import { trustCommand } from './trust.ts';

const topHelpWidth = 80;

// The built CLI's traces name .ts lines (dist/*.js.map beside each chunk).
mapStackTraces(new URL('.', import.meta.url).href);
outliveClosedOutput();

const program = new Command('portico')
  .description('Portico: a self-hosted cloud edge and its agent')
  .version(agentVersion)
  // The top-level help wraps at 80 columns whatever the terminal: the build writes it to
  // dist/help.txt, which bin/portico.cjs prints for `portico --help` without loading the CLI.
  // Subcommands' help (added with addCommand, which does not inherit this) fits the terminal.
  .configureOutput({ getOutHelpWidth: () => topHelpWidth, getErrHelpWidth: () => topHelpWidth });
program.addCommand(edgeCommand());
program.addCommand(accountCommand());
const runAgent = async (plan: AgentPlan) => (await import('./agent-run.ts')).runAgent(plan);
for (const command of agentCommands(runAgent)) program.addCommand(command);
program.addCommand(trustCommand());
// The commands that keep running (the edge, the agent's) set their runtime as they start; the
// short ones leave it: on Node 20 a V8 flag set at run time makes Node compile the built-in modules
// it loads after it instead of taking their code from its cache (bin/portico.cjs).
const longRunning = new Set(['edge', 'http', 'tcp', 'tls', 'tunnel', 'start']);
program.hook('preAction', (_program, command) => {
  if (longRunning.has(command.name())) applyRuntimeSettings();
});

const hint = singleDashFlagHint(program, process.argv.slice(2));
if (hint) {
  process.stderr.write(`ERROR: ${hint}\n`);
  process.exit(1);
}
await program.parseAsync(process.argv);
