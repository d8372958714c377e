/**
 * The account limits the API enforces (src/store/account-limits.ts): how many reserved domains
 * and addresses an account may hold, and how many API requests it may make per minute. Each
 * reads the limit when it runs, so `portico account limits` applies at once.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { ErrorCode, PorticoError } from '../errors/catalogue.ts';
import type { AccountLimitName } from '../store/account-limits.ts';
import type { Store } from '../store/store.ts';
import type { ApiDeps } from './context.ts';
import { apiErrorOf } from './errors.ts';

/** The counted resource kinds: their limit, ngrok's code past it, and their name for messages. */
const counted = {
  reserved_domain: { limit: 'max_reserved_domains', code: ErrorCode.ERR_NGROK_415, what: 'reserved domains' },
  reserved_addr: { limit: 'max_reserved_addrs', code: ErrorCode.ERR_NGROK_508, what: 'reserved addresses' },
} as const satisfies Record<string, { limit: AccountLimitName; code: ErrorCode; what: string }>;

/**
 * Throws ERR_NGROK_415 (domains) or ERR_NGROK_508 (addresses) when the account already holds
 * as many as its limit allows. Two creates racing may both pass; the overshoot is bounded by
 * how many requests of one account run at once.
 */
export async function checkResourceLimit(store: Store, accountId: string, kind: keyof typeof counted): Promise<void> {
  const { limit, code, what } = counted[kind];
  const max = (await store.accountLimits.get(accountId))[limit];
  const held = await store.resources.count(accountId, kind);
  if (held >= max) throw new PorticoError(code, `this account holds ${held} ${what} and may hold ${max}`);
}

/** Milliseconds of the API rate limit's window. */
const RATE_WINDOW_MS = 60_000;

/**
 * Limits each account's API requests per minute (its `max_api_requests_per_minute`), counted
 * per edge process in fixed one-minute windows. Past it: 429 ERR_NGROK_226 with Retry-After
 * (seconds until the window ends). Register after the auth hook and before the routes.
 */
export async function registerRateLimit(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  await app.register(rateLimit, {
    global: true,
    // A route-level onRequest hook: it runs after the app's auth hook has set req.account.
    hook: 'onRequest',
    timeWindow: RATE_WINDOW_MS,
    keyGenerator: (req) => req.account?.id ?? req.ip,
    // Unauthenticated paths (/health, /openapi.json) are not counted against any account.
    allowList: (req) => !req.account,
    max: async (req) => (await deps.store.accountLimits.get(req.account.id)).max_api_requests_per_minute,
    errorResponseBuilder: (_req, context) =>
      apiErrorOf(
        new PorticoError(
          ErrorCode.ERR_NGROK_226,
          `at most ${context.max} API requests per minute; retry in ${context.after}`,
        ),
      ),
  });
}
