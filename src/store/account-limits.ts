/**
 * Per-account limits: how much of a shared edge one account may take. The operator sets them
 * per account (`portico account create|limits --max-…`); unset ones take the defaults below.
 * Every check reads them when it runs, so a change applies without an edge restart.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

export interface AccountLimits {
  /** Reserved domains the account may hold (`POST /reserved_domains`, generated edge names). Default 100. */
  max_reserved_domains: number;
  /** Reserved TCP addresses the account may hold (`POST /reserved_addrs`, TCP edges). Default 50. */
  max_reserved_addrs: number;
  /** Tunnels (agent endpoints and labeled tunnels) one tunnel session may bind. Default 100. */
  max_tunnels_per_session: number;
  /** Tunnel sessions (connected agents) the account may have at once. Default 100. */
  max_sessions: number;
  /** API requests per minute, per edge process; beyond it 429 ERR_NGROK_226. Default 1200. */
  max_api_requests_per_minute: number;
}

export type AccountLimitName = keyof AccountLimits;

/** The limits of an account the operator did not change: generous for one team, bounded for a shared edge. */
export const defaultAccountLimits: Readonly<AccountLimits> = {
  max_reserved_domains: 100,
  max_reserved_addrs: 50,
  max_tunnels_per_session: 100,
  max_sessions: 100,
  max_api_requests_per_minute: 1200,
};

export const accountLimitNames = Object.keys(defaultAccountLimits) as AccountLimitName[];

/** The largest value a limit may be set to (the columns are 32-bit integers). */
export const maxLimitValue = 2_147_483_647;

/** The operator's values for an account: a number, or null for the default. */
export type AccountLimitOverrides = { [K in AccountLimitName]: number | null };

export class AccountLimitsRepository {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /** The limits in force for `accountId`: the operator's values, defaults for the rest. */
  async get(accountId: string): Promise<AccountLimits> {
    const overrides = await this.overrides(accountId);
    return Object.fromEntries(
      accountLimitNames.map((name) => [name, overrides[name] ?? defaultAccountLimits[name]]),
    ) as unknown as AccountLimits;
  }

  /** What the operator set for `accountId` (null where the default applies). */
  async overrides(accountId: string): Promise<AccountLimitOverrides> {
    const row = await this.#db
      .selectFrom('account_limits')
      .selectAll()
      .where('account_id', '=', accountId)
      .executeTakeFirst();
    return Object.fromEntries(accountLimitNames.map((name) => [name, row?.[name] ?? null])) as AccountLimitOverrides;
  }

  /** Sets the given limits (null: back to the default); limits not named keep their value. */
  async set(accountId: string, changes: Partial<AccountLimitOverrides>): Promise<void> {
    if (Object.keys(changes).length === 0) return;
    await this.#db
      .insertInto('account_limits')
      .values({ account_id: accountId, ...changes })
      .onConflict((oc) => oc.column('account_id').doUpdateSet(changes))
      .execute();
  }
}
