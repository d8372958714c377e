/**
 * Strict reading of one module option object of a bind (`IPRestriction: {allow_cidrs: […]}`):
 * an option of the wrong shape would otherwise be read as off and the endpoint served without
 * the protection asked for. Every refusal is ERR_AGENT_OPTION_INVALID with the wire field path
 * (`IPRestriction.allow_cidrs[0]`). Keys match without regard to case, as everywhere on the wire.
 */
import { ErrorCode, PorticoError } from '../../errors/catalogue.ts';
import { field, type Json, type JsonObject } from '../../protocol/messages.ts';

/** One option object whose keys were checked against the ones the edge reads. */
export class OptionReader {
  private constructor(
    private readonly value: JsonObject,
    /** Wire path of the object, e.g. `BasicAuth.credentials[0]`. */
    readonly path: string,
  ) {}

  /**
   * The object `value` at `path`, refused unless it is an object whose set keys are all in
   * `known` (snake_case, as the SDKs send them). A key set to null, "", false, 0, [] or {} is not
   * set: an agent built from ngrok's protobuf messages may send a field it leaves unused at its
   * zero value, which asks for nothing.
   */
  static of(value: Json | undefined, path: string, known: readonly string[]): OptionReader {
    if (!isObject(value)) throw invalid(path, `must be an object, got ${describe(value)}`);
    const lower = new Set(known.map((k) => k.toLowerCase()));
    for (const [key, v] of Object.entries(value)) {
      if (!lower.has(key.toLowerCase()) && isSet(v))
        throw invalid(`${path}.${key}`, `is not an option this edge reads; use ${known.join(', ') || 'no keys'}`);
    }
    return new OptionReader(value, path);
  }

  /** A string; "" when absent or null. */
  string(key: string): string {
    const v = field(this.value, key);
    if (v === undefined || v === null) return '';
    if (typeof v !== 'string') throw invalid(`${this.path}.${key}`, `must be a string, got ${describe(v)}`);
    return v;
  }

  /** A number; 0 when absent or null. */
  number(key: string): number {
    const v = field(this.value, key);
    if (v === undefined || v === null) return 0;
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw invalid(`${this.path}.${key}`, `must be a number, got ${describe(v)}`);
    return v;
  }

  /** A list of strings; [] when absent or null. */
  strings(key: string): string[] {
    return this.list(key).map((v, i) => {
      if (typeof v !== 'string') throw invalid(`${this.path}.${key}[${i}]`, `must be a string, got ${describe(v)}`);
      return v;
    });
  }

  /** A list of objects, each read with `known` keys; [] when absent or null. */
  objects(key: string, known: readonly string[]): OptionReader[] {
    return this.list(key).map((v, i) => OptionReader.of(v, `${this.path}.${key}[${i}]`, known));
  }

  private list(key: string): Json[] {
    const v = field(this.value, key);
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) throw invalid(`${this.path}.${key}`, `must be a list, got ${describe(v)}`);
    return v;
  }
}

/**
 * The module option under `key` of a bind's `Opts`, read with `known` keys; undefined when it is
 * off: absent, null, "" or false (what counts as not set for every `Opts` key).
 */
export function moduleOption(opts: JsonObject, key: string, known: readonly string[]): OptionReader | undefined {
  const v = field(opts, key);
  return v === undefined || v === null || v === '' || v === false ? undefined : OptionReader.of(v, key, known);
}

function invalid(path: string, why: string): PorticoError {
  return new PorticoError(ErrorCode.ERR_AGENT_OPTION_INVALID, `${path}: ${why}`);
}

function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isSet(v: Json): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (isObject(v)) return Object.keys(v).length > 0;
  return v !== null && v !== '' && v !== false && v !== 0;
}

/** A value as the message shows it: short JSON. */
function describe(v: Json | undefined): string {
  const text = JSON.stringify(v) ?? 'nothing';
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
