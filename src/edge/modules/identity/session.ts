/**
 * The two cookies of a login, as payloads sealed by CookieSealer: `<prefix>session` (who is
 * logged in, since when, last seen) and `<prefix>nonce.<id>` (one login in progress: its state,
 * the provider's remembered values, and the captured request).
 */
import type { IdentitySessionPlan } from '../../../config/modules/plans.ts';
import type { Identity, Remembered } from './login-flow.ts';

/** A login in progress expires 30 minutes after capture (then the user starts again). */
export const loginStateTtlS = 30 * 60;

export interface SessionPayload {
  user: Identity;
  /** Milliseconds since the epoch of the login. */
  loginAt: number;
  /** Milliseconds since the epoch of the last request that renewed the cookie. */
  seenAt: number;
  /** Milliseconds since the epoch the provider last confirmed the user (refresh phase); the login's when absent. */
  checkedAt?: number;
}

export interface LoginState {
  state: string;
  remembered: Remembered;
  /** The captured request's path and query, and its method (the user returns with a GET). */
  uri: string;
  method: string;
  /** Milliseconds since the epoch after which the state is refused. */
  expiresAt: number;
}

/** A session still valid at `now` under `plan`, else undefined. */
export function currentSession(payload: unknown, plan: IdentitySessionPlan, now: number): SessionPayload | undefined {
  if (!isSession(payload)) return undefined;
  if (now - payload.loginAt > plan.maximumDurationS * 1000) return undefined;
  if (plan.inactivityTimeoutS > 0 && now - payload.seenAt > plan.inactivityTimeoutS * 1000) return undefined;
  return payload;
}

/**
 * Whether the cookie should be written again with `seenAt` = now, so inactivity counts from
 * this request: at most once a minute (or per half the timeout, when shorter), not per request.
 */
export function needsRenewal(session: SessionPayload, plan: IdentitySessionPlan, now: number): boolean {
  if (plan.inactivityTimeoutS <= 0) return false;
  return now - session.seenAt >= Math.min(60_000, (plan.inactivityTimeoutS * 1000) / 2);
}

/** Whether the user is due to be read again from the provider: `intervalS` seconds after the last check. */
export function needsCheck(session: SessionPayload, intervalS: number | undefined, now: number): boolean {
  if (!intervalS) return false;
  return now - (session.checkedAt ?? session.loginAt) >= intervalS * 1000;
}

/** A login state not yet expired at `now`, else undefined. */
export function currentLoginState(payload: unknown, now: number): LoginState | undefined {
  const s = payload as Partial<LoginState> | undefined;
  if (!s || typeof s.state !== 'string' || typeof s.uri !== 'string' || typeof s.expiresAt !== 'number')
    return undefined;
  return now <= s.expiresAt ? (s as LoginState) : undefined;
}

function isSession(payload: unknown): payload is SessionPayload {
  const s = payload as Partial<SessionPayload> | undefined;
  return (
    !!s &&
    typeof s.loginAt === 'number' &&
    typeof s.seenAt === 'number' &&
    typeof s.user?.id === 'string' &&
    typeof s.user.email === 'string'
  );
}
