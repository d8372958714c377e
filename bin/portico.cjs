#!/bin/sh
//usr/bin/env true; case $#:$1 in 1:--help | 1:-h | 1:help) h=$(readlink -f "$0") && h=${h%/bin/*}/dist/help.txt && [ -r "$h" ] && exec cat "$h" ;; esac
//usr/bin/env true; f=; case $1 in edge) f=--max-semi-space-size=4 ;; http | tcp | tls | tunnel | start) f=--max-semi-space-size=1 ;; esac; exec node $f ${f:+--expose-gc} "$0" "$@"
// Run as a program (`portico …` through npm's link, or `bin/portico.cjs …`), the three lines above
// are a shell script (each `//…` line runs `true`, then the rest of the line); to Node they are
// comments, so `node bin/portico.cjs …` runs the same CLI without what the script adds:
// - `portico --help` (`-h`, `help`) alone prints the help the build wrote, dist/help.txt (found
//   from the script's real path: npm links it), without starting Node at all. Left to Node below
//   when that file is not there.
// - Otherwise the script replaces itself with Node, with the V8 flags of the command. The
//   long-running ones keep V8's young generation small instead of growing to 2 × 16 MiB under
//   load: 2 × 4 MiB for `portico edge` (many requests in flight, whose objects a smaller one
//   would promote), 2 × 1 MiB for the agent's commands (docs/architecture.md, "Start-up and
//   footprint"); and they get V8's collector as `gc`, with which they free the buffers of
//   tunnel traffic as it moves (src/protocol/transfer-buffers.ts). The others (`account`,
//   `config`, `trust`, `--version`) run without flags: on Node 20 a V8 flag makes Node compile
//   the built-in modules it loads instead of taking their code from its cache, 30–45 ms of a
//   short command.
//
// Runs the built CLI (dist/, written by `npm run build`, which `npm ci` runs). No TypeScript
// loader at run time; stack traces name .ts lines through dist's source maps, read when a trace
// is formatted (src/log/stack-source-maps.ts).
//
// CommonJS, unlike the rest of the tree: Node starts a CommonJS file some 10 ms sooner than an
// ES module (its ES module loader is set up only when the CLI is imported below), which is most
// of what `portico --help` costs beyond Node's own start.
'use strict';
const { existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

// `portico --help` prints the help the build wrote (scripts/build.js) rather than start the CLI.
const args = process.argv.slice(2);
if (args.length === 1 && ['--help', '-h', 'help'].includes(args[0])) {
  let help;
  try {
    help = readFileSync(join(__dirname, '../dist/help.txt'));
  } catch {
    // An older build: the CLI prints it.
  }
  if (help) {
    process.stdout.write(help);
    process.exit(0);
  }
}

const main = join(__dirname, '../dist/main.js');
if (!existsSync(main)) {
  console.error(`portico is not built: run \`npm run build\` in ${join(__dirname, '..')}`);
  process.exit(1);
}
// Node 22.1+ keeps the compiled code of dist/ in its on-disk cache, so later starts skip compiling it.
require('node:module').enableCompileCache?.();
// A CLI that fails to load rejects this import: Node prints the error and exits 1.
void import(pathToFileURL(main).href);
