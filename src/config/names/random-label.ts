import { randomBytes } from 'node:crypto';

/** RFC 4648 base32, lower case: every character is valid in a DNS label. */
const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';

/**
 * 12 random characters (60 bits): the first label of a generated name, for agent endpoints
 * (`<label>.<--domain>`) and for edges created without hostports.
 */
export function randomLabel(): string {
  return Array.from(randomBytes(12), (b) => alphabet[b & 31]).join('');
}
