/** The `portico` program: the edge and the agent commands. */
import { Command } from 'commander';
import { agentVersion } from '../agent/version.ts';
import { agentCommands } from './agent-commands.ts';
import { runAgent } from './agent-run.ts';
import { edgeCommand } from './edge.ts';
import { accountCommand } from './account.ts';
import { singleDashFlagHint } from './single-dash.ts';
import { trustCommand } from './trust.ts';

const program = new Command('portico')
  .description('Portico: a self-hosted cloud edge and its agent')
  .version(agentVersion);
program.addCommand(edgeCommand());
program.addCommand(accountCommand());
for (const command of agentCommands(runAgent)) program.addCommand(command);
program.addCommand(trustCommand());

const hint = singleDashFlagHint(program, process.argv.slice(2));
if (hint) {
  process.stderr.write(`ERROR: ${hint}\n`);
  process.exit(1);
}
await program.parseAsync(process.argv);
