import { createHash, timingSafeEqual } from 'node:crypto';
import type { BasicAuthPlan } from '../../../config/modules/plans.ts';
import { ErrorCode } from '../../../errors/catalogue.ts';
import type { ModuleDeps } from '../../pipeline/build.ts';
import type { HttpModule } from '../../pipeline/http-module.ts';

/** A credential as compared: SHA-256 digests of the username and the password (32 bytes each). */
interface Digests {
  user: Buffer;
  password: Buffer;
}

const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * `basic_auth`: a request without a username and password the plan holds gets 401 with a
 * `WWW-Authenticate: Basic` challenge and never reaches the service.
 */
export function basicAuthModule(plan: BasicAuthPlan, deps: ModuleDeps): HttpModule {
  const denied = deps.decisions.counter('basic_auth', 'denied');
  const credentials: Digests[] = plan.credentials.map((c) => ({
    user: sha256(c.username),
    password: Buffer.from(c.passwordSha256, 'hex'),
  }));
  const challenge = { 'www-authenticate': `Basic realm="${plan.realm}", charset="UTF-8"` };
  return {
    name: 'basic_auth',
    async handle(ex, next) {
      if (!admits(credentials, ex.req.headers.authorization))
        return (denied(), ex.refuse(ErrorCode.ERR_EDGE_BASIC_AUTH_REQUIRED, challenge));
      return next();
    },
  };
}

/**
 * Whether the `Authorization` header names one of `credentials`. Digests of equal length are
 * compared with timingSafeEqual against every credential, without stopping at a match, so the
 * time taken tells nothing about which usernames exist or how much of a password was right.
 */
export function admits(credentials: readonly Digests[], header: string | undefined): boolean {
  const given = userPass(header);
  // No or malformed credentials are still compared (against a name no one has), for the same timing.
  const user = sha256(given?.user ?? '\0');
  const password = sha256(given?.password ?? '');
  let match = 0;
  for (const c of credentials) {
    const sameUser = timingSafeEqual(c.user, user);
    const samePassword = timingSafeEqual(c.password, password);
    match |= Number(sameUser) & Number(samePassword);
  }
  return match === 1 && given !== undefined;
}

/** The username and password of a `Basic` Authorization header, split at the first ":". */
function userPass(header: string | undefined): { user: string; password: string } | undefined {
  const m = /^basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m) return undefined;
  const text = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return colon < 0 ? undefined : { user: text.slice(0, colon), password: text.slice(colon + 1) };
}
