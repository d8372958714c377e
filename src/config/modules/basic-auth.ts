/**
 * Basic auth credentials, checked by ngrok's rules when an agent binds: at most 10 pairs, a
 * non-empty username without ":" or control characters, a password of 8 to 128 characters.
 * Passwords are kept only as their SHA-256, which the data plane compares in constant time.
 */
import { createHash } from 'node:crypto';
import { ErrorCode } from '../../errors/catalogue.ts';
import { ConfigProblem } from '../compile/problem.ts';
import type { BasicAuthPlan } from './plans.ts';

/** The realm of the `WWW-Authenticate` challenge: ngrok's, so clients and password managers see the same. */
export const basicAuthRealm = 'ngrok';
export const maxBasicAuthCredentials = 10;
const passwordLength = { min: 8, max: 128 } as const;

/** One credential as an agent sends it: a cleartext password, or a base64 SHA-256 of it. */
export interface BasicAuthCredential {
  username: string;
  cleartextPassword?: string;
  /** Base64 of the password's SHA-256 digest (32 bytes); any other hash is refused. */
  hashedPassword?: string;
}

export function compileBasicAuth(credentials: readonly BasicAuthCredential[], field: string): BasicAuthPlan {
  if (credentials.length === 0 || credentials.length > maxBasicAuthCredentials)
    throw new ConfigProblem(
      field,
      ErrorCode.ERR_BASIC_AUTH_INVALID,
      `${credentials.length} credentials given; give 1 to ${maxBasicAuthCredentials}`,
    );
  return {
    name: 'basic_auth',
    realm: basicAuthRealm,
    credentials: credentials.map((c, i) => ({
      username: checkUsername(c.username, `${field}[${i}].username`),
      passwordSha256: passwordSha256(c, `${field}[${i}]`),
    })),
  };
}

/** Older agents' `Auth`: one "user:pass" (split at the first ":", so the password may hold one). */
export function splitUserPass(auth: string, field: string): BasicAuthCredential {
  const colon = auth.indexOf(':');
  if (colon < 0) throw new ConfigProblem(field, ErrorCode.ERR_BASIC_AUTH_INVALID, 'write it as "user:password"');
  return { username: auth.slice(0, colon), cleartextPassword: auth.slice(colon + 1) };
}

function checkUsername(username: string, field: string): string {
  if (!username) throw new ConfigProblem(field, ErrorCode.ERR_NGROK_359, 'is empty');
  if (/[:\x00-\x1f\x7f]/.test(username))
    throw new ConfigProblem(field, ErrorCode.ERR_NGROK_15011, `"${username}" holds ":" or a control character`);
  return username;
}

function passwordSha256(c: BasicAuthCredential, field: string): string {
  if (c.cleartextPassword !== undefined && c.cleartextPassword !== '') {
    const length = [...c.cleartextPassword].length;
    if (length < passwordLength.min || length > passwordLength.max)
      throw new ConfigProblem(`${field}.cleartext_password`, ErrorCode.ERR_NGROK_360, `got ${length} characters`);
    return createHash('sha256').update(c.cleartextPassword, 'utf8').digest('hex');
  }
  const hashed = c.hashedPassword ?? '';
  const digest = Buffer.from(hashed, 'base64');
  if (digest.length === 32 && digest.toString('base64') === hashed) return digest.toString('hex');
  const kind = /^\$2[abxy]?\$/.test(digest.toString('latin1')) ? 'a bcrypt hash' : 'not a base64 SHA-256 digest';
  throw new ConfigProblem(
    `${field}.hashed_password`,
    ErrorCode.ERR_BASIC_AUTH_INVALID,
    hashed ? `${kind}, which this edge cannot verify; send cleartext_password` : 'no password given',
  );
}
