/**
 * A small structured logger: one line per event, either JSON by pino
 * (`{"lvl":"info","t":…,…,"msg":…}`) or logfmt-like text. Passed in explicitly; there is no
 * global logger. A child whose fields name a `component` (`edge.proxy`, `api`) takes that
 * component's level (LoggerOptions.components), so one part can be turned up or silenced.
 */
import type * as Pino from 'pino';
import { requireOnFirstUse } from '../packages/on-first-use.ts';
import { stdioLines } from './stdio-lines.ts';

// pino loads with the first JSON logger: the default text format makes its lines without it,
// so a process logging text never holds pino's code.
const pinoPackage = requireOnFirstUse<typeof Pino>('pino');

export type Level = 'debug' | 'info' | 'warn' | 'error';
/** A level, or `off` for nothing at all. */
export type LevelSetting = Level | 'off';
export type LogFormat = 'json' | 'text';
export type Fields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
  /** A logger that adds `fields` to every line; a `component` field picks that component's level. */
  child(fields: Fields): Logger;
}

const rank: Record<LevelSetting, number> = { debug: 10, info: 20, warn: 30, error: 40, off: 100 };

export interface LoggerOptions {
  /** Where lines go. Default: process.stderr. */
  sink?: { write(line: string): unknown };
  /** Default text. */
  format?: LogFormat;
  /** Lowest level written. Default info. */
  level?: LevelSetting;
  /**
   * Levels by component, e.g. `{ 'edge.proxy': 'debug', api: 'warn', access: 'off' }`. A
   * component takes its own entry, else that of the nearest dotted parent (`edge` for
   * `edge.proxy`), else `level`.
   */
  components?: Record<string, LevelSetting>;
}

/** The level of `component` under `options` (see LoggerOptions.components). */
export function levelOf(component: string | undefined, options: LoggerOptions): LevelSetting {
  const table = options.components ?? {};
  for (let name = component; name; name = name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : undefined) {
    const level = table[name];
    if (level) return level;
  }
  return options.level ?? 'info';
}

function textValue(v: unknown): string {
  // Numbers and booleans (an access-log line has four) need neither JSON nor quotes.
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  // Quoted (and so escaped) when it has spaces, quotes, '=' or control characters: a value such
  // as a request path comes from a client and must neither split the line nor drive a terminal.
  return /[\s"=\u0000-\u001f\u007f-\u009f]/.test(s ?? '') ? JSON.stringify(s) : String(s);
}

// Errors are logged as their message and code: logs carry the cause, never a stack trace.
function errorFields(fields: Fields): Fields {
  let out: Fields | undefined;
  for (const k in fields) {
    const v = fields[k];
    if (!(v instanceof Error)) continue;
    out ??= { ...fields };
    out[k] = { message: v.message, code: (v as { code?: unknown }).code };
  }
  return out ?? fields;
}

/** Where a logger's lines go, and how they are made: JSON by pino, or text (textLines). */
interface Lines {
  write(lvl: Level, msg: string, fields?: Fields): void;
  child(fields: Fields): Lines;
}

function pinoLines(logger: Pino.Logger): Lines {
  return {
    write: (lvl, msg, fields) => (fields ? logger[lvl](errorFields(fields), msg) : logger[lvl](msg)),
    child: (fields) => pinoLines(logger.child(errorFields(fields))),
  };
}

/**
 * `<time> LEVEL msg key=value …` lines, the logger's fields first, then the call's. Made
 * directly rather than from pino's JSON: this is the default format, and an access-log line is
 * written per public request.
 */
function textLines(sink: { write(line: string): unknown }, bound = ''): Lines {
  return {
    write: (lvl, msg, fields) =>
      sink.write(
        `${new Date().toISOString()} ${lvl.toUpperCase().padEnd(5)} ${msg}${bound}${fields ? textPairs(fields) : ''}\n`,
      ),
    child: (fields) => textLines(sink, bound + textPairs(fields)),
  };
}

/** ` key=value` for each field with a value, as JSON lines would carry them. */
function textPairs(fields: Fields): string {
  let out = '';
  const plain = errorFields(fields);
  for (const key in plain) {
    const value = plain[key];
    if (value !== undefined) out += ` ${key}=${textValue(value)}`;
  }
  return out;
}

export function createLogger(options: LoggerOptions = {}, base: Fields = {}): Logger {
  const sink = stdioLines(options.sink ?? process.stderr);
  const root =
    options.format === 'json'
      ? pinoLines(
          pinoPackage().pino(
            {
              // Levels are decided by wrap() below, so pino itself lets everything through.
              level: 'debug',
              base: null,
              messageKey: 'msg',
              timestamp: () => `,"t":"${new Date().toISOString()}"`,
              formatters: { level: (label) => ({ lvl: label }) },
              // errorFields already made errors plain; pino's own serializer would add a stack.
              serializers: { err: (v: unknown) => v },
            },
            sink,
          ),
        )
      : textLines(sink);
  const component = typeof base.component === 'string' ? base.component : undefined;
  const bound = root.child(base);
  return wrap(() => bound, options, component);
}

function noop(): void {}

// A level that is off costs one call to an empty function: no fields are looked at. A child's
// fields are only formatted once it writes a line.
function wrap(linesOf: () => Lines, options: LoggerOptions, component: string | undefined): Logger {
  const min = rank[levelOf(component, options)];
  const at = (lvl: Level) =>
    rank[lvl] < min ? noop : (msg: string, fields?: Fields) => linesOf().write(lvl, msg, fields);
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (fields) => {
      let child: Lines | undefined;
      const own = typeof fields.component === 'string' ? fields.component : component;
      return wrap(() => (child ??= linesOf().child(fields)), options, own);
    },
  };
}

/** A logger that writes nothing (tests, libraries used without one). */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child: () => silentLogger,
};
