/**
 * ngrok's agent takes Go-style single-dash flags (`ngrok http -subdomain=foo 3000`); Portico's
 * take two dashes. A user who types the ngrok spelling gets the right one instead of commander's
 * "unknown option '-subdomain=foo'".
 */
import type { Command, Option } from 'commander';

/** Short flags every command has (commander's -h for help; -V for the program's version). */
const builtinShort = new Set(['h', 'V']);
/** A dash, a letter, at least one more name character, and maybe `=value`. */
const singleDash = /^-([A-Za-z][A-Za-z0-9_-]+)(?:=(.*))?$/s;

/**
 * The first single-dash long flag in `argv` (the arguments after `portico`), with the right
 * spelling, or undefined when there is none. Real short flags (-h, -V) pass, and so do values
 * of options that take one (`--metadata -x`).
 */
export function singleDashFlagHint(program: Command, argv: readonly string[]): string | undefined {
  let command = program;
  let i = 0;
  for (; i < argv.length; i++) {
    const sub = command.commands.find((c) => c.name() === argv[i] || c.aliases().includes(argv[i]!));
    if (!sub) break;
    command = sub;
  }
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') return undefined;
    if (arg.startsWith('--')) {
      const option = longOption(command, arg.slice(2).split('=')[0]!);
      if (option && takesValue(option) && !arg.includes('=')) i++;
      continue;
    }
    const match = singleDash.exec(arg);
    if (!match || isShortCluster(command, match[1]!)) continue;
    return hint(command, arg, match[1]!, match[2] ?? nextValue(command, match[1]!, argv[i + 1]));
  }
  return undefined;
}

function hint(command: Command, arg: string, name: string, value: string | undefined): string {
  const path = commandPath(command);
  const option = longOption(command, name);
  if (!option) {
    return `${arg}: Portico's flags take two dashes (--${name}), and \`${path}\` has no --${name} flag; see \`${path} --help\``;
  }
  // An optional value must be attached (`--inspect=false`): apart, the next argument could be the address.
  const glue = option.optional ? '=' : ' ';
  const spelled = takesValue(option) ? `--${name}${glue}${shellWord(value ?? `<${name}>`)}` : `--${name}`;
  return `${arg} is spelled the way ngrok's agent spells flags; Portico's take two dashes: ${spelled}`;
}

function longOption(command: Command, name: string): Option | undefined {
  return command.options.find((o) => o.long === `--${name}`);
}

function takesValue(option: Option): boolean {
  return option.required || option.optional;
}

/** The value after `-name` when the flag takes one and it was given as the next argument. */
function nextValue(command: Command, name: string, next: string | undefined): string | undefined {
  const option = longOption(command, name);
  return option && takesValue(option) && next !== undefined && !next.startsWith('-') ? next : undefined;
}

function isShortCluster(command: Command, letters: string): boolean {
  const shorts = new Set([...builtinShort, ...command.options.flatMap((o) => (o.short ? [o.short.slice(1)] : []))]);
  return [...letters].every((c) => shorts.has(c));
}

function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** `value` quoted for a POSIX shell when it needs it. */
function shellWord(value: string): string {
  return /^[\w@%+=:,./<>-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
