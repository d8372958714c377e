/**
 * A small structured logger: one line per event, either JSON (`{"lvl":"info","msg":…,…}`) or
 * logfmt-like text. Passed in explicitly; there is no global logger.
 */
export type Level = 'debug' | 'info' | 'warn' | 'error';
export type LogFormat = 'json' | 'text';
export type Fields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
  /** A logger that adds `fields` to every line. */
  child(fields: Fields): Logger;
}

const rank: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LoggerOptions {
  /** Where lines go. Default: process.stderr. */
  sink?: { write(line: string): unknown };
  format?: LogFormat;
  /** Lowest level written. Default info. */
  level?: Level;
}

function textValue(v: unknown): string {
  const s = typeof v === 'string' ? v : v instanceof Error ? v.message : JSON.stringify(v);
  // Quoted (and so escaped) when it has spaces, quotes, '=' or control characters: a value such
  // as a request path comes from a client and must neither split the line nor drive a terminal.
  return /[\s"=\u0000-\u001f\u007f-\u009f]/.test(s ?? '') ? JSON.stringify(s) : String(s);
}

function errorFields(fields: Fields): Fields {
  const out: Fields = {};
  for (const [k, v] of Object.entries(fields)) {
    out[k] = v instanceof Error ? { message: v.message, code: (v as { code?: unknown }).code } : v;
  }
  return out;
}

export function createLogger(options: LoggerOptions = {}, base: Fields = {}): Logger {
  const sink = options.sink ?? process.stderr;
  const format = options.format ?? 'text';
  const min = rank[options.level ?? 'info'];
  const write = (lvl: Level, msg: string, fields: Fields = {}) => {
    if (rank[lvl] < min) return;
    const all = errorFields({ ...base, ...fields });
    if (format === 'json') {
      sink.write(JSON.stringify({ lvl, t: new Date().toISOString(), msg, ...all }) + '\n');
    } else {
      const rest = Object.entries(all).map(([k, v]) => `${k}=${textValue(v)}`);
      sink.write([new Date().toISOString(), lvl.toUpperCase().padEnd(5), msg, ...rest].join(' ') + '\n');
    }
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (fields) => createLogger(options, { ...base, ...fields }),
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
