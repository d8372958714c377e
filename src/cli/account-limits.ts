/**
 * The `--max-…` flags of `portico account create` and `portico account limits`: one flag per
 * account limit (src/store/account-limits.ts), each a whole number or `default`.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import {
  accountLimitNames,
  defaultAccountLimits,
  maxLimitValue,
  type AccountLimitName,
  type AccountLimitOverrides,
} from '../store/account-limits.ts';
import type { Store } from '../store/store.ts';

/** What each limit's flag says in --help. */
const help: Record<AccountLimitName, string> = {
  max_reserved_domains: 'reserved domains the account may hold',
  max_reserved_addrs: 'reserved TCP addresses the account may hold',
  max_tunnels_per_session: 'tunnels one agent session may bind',
  max_sessions: 'agent sessions the account may have at once',
  max_api_requests_per_minute: 'API requests per minute (per edge process)',
};

/** `max_reserved_domains` → `--max-reserved-domains`. */
export function flagOf(name: AccountLimitName): string {
  return `--${name.replace(/_/g, '-')}`;
}

/** commander's property for a flag: `max_reserved_domains` → `maxReservedDomains`. */
function propertyOf(name: AccountLimitName): string {
  return name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Adds one `--max-… <n|default>` option per limit. */
export function withLimitFlags(command: Command): Command {
  for (const name of accountLimitNames) {
    command.addOption(
      new Option(
        `${flagOf(name)} <n>`,
        `${help[name]} (default ${defaultAccountLimits[name]}; "default" resets)`,
      ).argParser((raw) => parseLimit(raw)),
    );
  }
  return command;
}

/** A flag value: a whole number from 0 to 2147483647, or `default`. */
export function parseLimit(raw: string): number | 'default' {
  if (raw === 'default') return raw;
  if (!/^\d+$/.test(raw) || Number(raw) > maxLimitValue)
    throw new InvalidArgumentError(`give a whole number from 0 to ${maxLimitValue}, or "default"`);
  return Number(raw);
}

/** The limits given on the command line (only those given). */
export function limitFlags(flags: object): Partial<AccountLimitOverrides> {
  const given: Partial<AccountLimitOverrides> = {};
  for (const name of accountLimitNames) {
    // commander keeps `default` as a string: a parser returning null would read as "".
    const value = (flags as Record<string, number | 'default' | undefined>)[propertyOf(name)];
    if (value !== undefined) given[name] = value === 'default' ? null : value;
  }
  return given;
}

/** One row per limit for `portico account limits`: value in force and whether it is the default. */
export async function describeLimits(
  store: Store,
  accountId: string,
): Promise<Array<{ name: AccountLimitName; value: number; default: boolean }>> {
  const overrides = await store.accountLimits.overrides(accountId);
  return accountLimitNames.map((name) => ({
    name,
    value: overrides[name] ?? defaultAccountLimits[name],
    default: overrides[name] === null,
  }));
}
