/**
 * Record ids: `<prefix>_<27 lower-case base32 characters>`, e.g. `cr_01jbz3m8q0x5v7k2n4p6r8t0wa`.
 * The first 10 characters are the creation time in milliseconds, so ids sort by creation time;
 * the other 17 are random. Ids made in one process always sort in the order they were made.
 */
import { randomBytes } from 'node:crypto';

/** Crockford's base32 alphabet, lower case: no i, l, o or u. */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const TIME_CHARS = 10;
const RANDOM_CHARS = 17;
const RANDOM_BITS = BigInt(RANDOM_CHARS * 5);
const RANDOM_LIMIT = 1n << RANDOM_BITS;
const BODY = new RegExp(`^[${ALPHABET}]{${TIME_CHARS + RANDOM_CHARS}}$`);
const PREFIX = /^[a-z][a-z0-9]*$/;

// The last id's parts, so that ids made within one millisecond (or while the clock steps back)
// still ascend: the random part is incremented instead of drawn again.
let lastTime = 0;
let lastRandom = 0n;

/** A new id `<prefix>_<body>`; `prefix` is lower-case letters and digits, e.g. `cr`, `edghts`. */
export function newId(prefix: string): string {
  if (!PREFIX.test(prefix)) throw new RangeError(`invalid id prefix: ${prefix}`);
  const now = Date.now();
  if (now > lastTime) {
    lastTime = now;
    lastRandom = freshRandom();
  } else if (++lastRandom >= RANDOM_LIMIT) {
    lastTime += 1;
    lastRandom = freshRandom();
  }
  return `${prefix}_${encodeIdChars(BigInt(lastTime), TIME_CHARS)}${encodeIdChars(lastRandom, RANDOM_CHARS)}`;
}

/** The prefix of `id` (`cr` for `cr_…`), or '' when it has none. */
export function idPrefix(id: string): string {
  const at = id.lastIndexOf('_');
  return at < 0 ? '' : id.slice(0, at);
}

/** True when `id` is well formed and, if `prefix` is given, carries that prefix. */
export function isValidId(id: string, prefix?: string): boolean {
  const at = id.lastIndexOf('_');
  if (at < 1 || !BODY.test(id.slice(at + 1))) return false;
  return prefix === undefined ? PREFIX.test(id.slice(0, at)) : id.slice(0, at) === prefix;
}

// Leave the top bit clear so a run of increments inside one millisecond cannot overflow.
function freshRandom(): bigint {
  const bytes = randomBytes(11); // 88 bits, trimmed to 84
  return BigInt(`0x${bytes.toString('hex')}`) >> (88n - RANDOM_BITS + 1n);
}

/** `value`'s low `chars * 5` bits in the id alphabet, most significant first. */
export function encodeIdChars(value: bigint, chars: number): string {
  let out = '';
  for (let i = 0; i < chars; i++) {
    out = ALPHABET[Number(value & 31n)] + out;
    value >>= 5n;
  }
  return out;
}
