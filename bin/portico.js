#!/bin/sh
//usr/bin/env true; f=--max-semi-space-size=1; [ "$1" = edge ] && f=--max-semi-space-size=4; exec node $f "$0" "$@"
// Run as a program (`portico …` through npm's link, or `bin/portico.js …`), the two lines above
// are a shell script that starts Node with the V8 flags Portico runs with (the second runs `true`,
// then replaces the shell with Node); to Node the second is a comment. `node bin/portico.js …`
// runs the same CLI without the flags.
// --max-semi-space-size: V8's young generation stays small instead of growing to 2 × 16 MiB
// under load: 2 × 4 MiB for `portico edge` (many requests in flight, whose objects a smaller one
// would promote), 2 × 1 MiB for the agent and every other command (docs/architecture.md,
// "Start-up and footprint").

// Runs the built CLI (dist/, written by `npm run build`, which `npm ci` runs). No TypeScript
// loader at run time; stack traces name .ts lines through dist's source maps, read when a trace
// is formatted (src/log/stack-source-maps.ts).
import { existsSync, readFileSync } from 'node:fs';
import module from 'node:module';

// `portico --help` prints the help the build wrote (scripts/build.js) rather than start the CLI.
const args = process.argv.slice(2);
if (args.length === 1 && ['--help', '-h', 'help'].includes(args[0])) {
  let help;
  try {
    help = readFileSync(new URL('../dist/help.txt', import.meta.url));
  } catch {
    // An older build: the CLI prints it.
  }
  if (help) {
    process.stdout.write(help);
    process.exit(0);
  }
}

const main = new URL('../dist/main.js', import.meta.url);
if (!existsSync(main)) {
  console.error(`portico is not built: run \`npm run build\` in ${new URL('..', import.meta.url).pathname}`);
  process.exit(1);
}
// Node 22.1+ keeps the compiled code of dist/ in its on-disk cache, so later starts skip compiling it.
module.enableCompileCache?.();
await import(main.href);
