/**
 * The date and time helpers ngrok documents for list filters: `timestamp(time.now)`,
 * `timestamp("2026-01-01T00:00:00Z")`, `.add("<duration>")` and `.subtract("<duration>")`, with
 * the read shape's times (`created_at`, `not_after`, …) compared as timestamps, as in
 * `obj.created_at > timestamp(time.now).subtract("7d")`. A duration is one or more of a number
 * and a unit: d, h, m, s, ms (`"7d"`, `"1h30m"`).
 */
import type { CelFunc } from '@bufbuild/cel';

type Cel = typeof import('@bufbuild/cel');
type Wkt = typeof import('@bufbuild/protobuf/wkt');

const unitMs: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
/** Longest duration accepted: 100 years, so no arithmetic leaves the range of a timestamp. */
const MAX_DURATION_MS = 100 * 365 * 86_400_000;

/** Milliseconds of a duration such as `7d` or `1h30m`; throws for anything else. */
export function durationMs(text: string): number {
  const parts = /^(?:\d+(?:\.\d+)?(?:ms|d|h|m|s))+$/.test(text) ? text.match(/\d+(?:\.\d+)?(?:ms|d|h|m|s)/g)! : [];
  if (parts.length === 0) throw new Error(`"${text}" is not a duration such as "7d" or "1h30m"`);
  const ms = parts.reduce((sum, part) => {
    const unit = /(ms|d|h|m|s)$/.exec(part)![1]!;
    return sum + Number(part.slice(0, -unit.length)) * unitMs[unit]!;
  }, 0);
  if (ms > MAX_DURATION_MS) throw new Error(`"${text}" is longer than 100 years`);
  return ms;
}

/** `.add(duration)` and `.subtract(duration)` on timestamps. */
export function timeMethods(cel: Cel, wkt: Wkt): CelFunc[] {
  const timestamp = cel.objectType(wkt.TimestampSchema);
  const shifted = (sign: number) =>
    function (this: { message: import('@bufbuild/protobuf/wkt').Timestamp }, duration: string) {
      return wkt.timestampFromMs(wkt.timestampMs(this.message) + sign * durationMs(duration));
    };
  return [
    cel.celMethod('add', timestamp, [cel.CelScalar.STRING], timestamp, shifted(1)),
    cel.celMethod('subtract', timestamp, [cel.CelScalar.STRING], timestamp, shifted(-1)),
  ];
}

/** Top-level fields of read shapes that hold RFC 3339 times. */
function isTimeField(name: string): boolean {
  return name.endsWith('_at') || name === 'not_before' || name === 'not_after';
}

/** `obj` with its time fields as timestamps (others, and unparsable times, unchanged). */
export function withTimestamps(obj: Record<string, unknown>, wkt: Wkt): Record<string, unknown> {
  let out: Record<string, unknown> | undefined;
  for (const [name, value] of Object.entries(obj)) {
    if (!isTimeField(name) || typeof value !== 'string') continue;
    const ms = Date.parse(value);
    if (Number.isNaN(ms)) continue;
    (out ??= { ...obj })[name] = wkt.timestampFromMs(ms);
  }
  return out ?? obj;
}

/** The `time` variable: `time.now`, the moment the list request is evaluated. */
export function timeVariable(wkt: Wkt): { now: import('@bufbuild/protobuf/wkt').Timestamp } {
  return { now: wkt.timestampFromMs(Date.now()) };
}
