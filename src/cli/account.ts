/**
 * `portico account create|list|limits|unrestrict|delete`: the operator's account management. Runs against the
 * edge's store (the SQLite file in --data-dir, or --database-url) directly, also while the edge
 * runs: SQLite's WAL journal and PostgreSQL both allow a second process.
 */
import { Command } from 'commander';
import { defaultDataDir } from '../bootstrap/paths.ts';
import { configKinds } from '../config/documents/kinds.ts';
import { restrictionTypes } from '../config/ip-rules/restriction-types.ts';
import { isPorticoError } from '../errors/catalogue.ts';
import type { AccountLimitOverrides } from '../store/account-limits.ts';
import type { Account } from '../store/accounts.ts';
import type { Store } from '../store/store.ts';
import { describeLimits, flagOf, limitFlags, withLimitFlags } from './account-limits.ts';

interface StoreFlags {
  dataDir: string;
  databaseUrl?: string;
}

interface OutputFlags extends StoreFlags {
  json?: boolean;
}

/** Account names: 1 to 64 letters, digits, `.`, `_` or `-`, starting with a letter or digit. */
const ACCOUNT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** What `account create --json` prints; the API key and authtoken are shown only here. */
export interface CreatedAccount {
  id: string;
  name: string;
  api_key: string;
  authtoken: string;
}

/** Creates an account with one API key and one authtoken, and the limits given (others default). */
export async function createAccount(
  store: Store,
  name: string,
  limits: Partial<AccountLimitOverrides> = {},
): Promise<CreatedAccount> {
  if (!ACCOUNT_NAME.test(name))
    throw new UsageError(`"${name}" is not a valid account name: use 1-64 letters, digits, '.', '_' or '-'`);
  if (await store.accounts.getByName(name))
    throw new UsageError(`account "${name}" already exists; pick another name or delete it first`);
  const account = await store.accounts.create(name);
  await store.accountLimits.set(account.id, limits);
  const description = 'created by portico account create';
  const { token: apiKey } = await store.apiKeys.create(account.id, { description });
  const { token: authtoken } = await store.credentials.create(account.id, { description });
  return { id: account.id, name: account.name, api_key: apiKey.reveal(), authtoken: authtoken.reveal() };
}

/** The account named `nameOrId`, or with that id (`acct_…`). */
export async function findAccount(store: Store, nameOrId: string): Promise<Account | undefined> {
  return (
    (await store.accounts.getByName(nameOrId)) ??
    (nameOrId.startsWith('acct_') ? store.accounts.get(nameOrId) : undefined)
  );
}

/** `portico account …` */
export function accountCommand(): Command {
  const account = new Command('account').description(
    'manage the accounts of an edge (run against its data dir or database)',
  );
  account.addCommand(
    withLimitFlags(
      withStore(
        new Command('create')
          .description('create an account with an API key and an authtoken')
          .argument('<name>', 'unique account name'),
      ),
    )
      .option('--json', 'print {"id","name","api_key","authtoken"}')
      .action((name: string, flags: OutputFlags) =>
        run(flags, async (store) => {
          const created = await createAccount(store, name, limitFlags(flags));
          if (flags.json) return print(JSON.stringify(created));
          print(
            [
              `Created account ${created.name}.`,
              `  id         ${created.id}`,
              `  API key    ${created.api_key}`,
              `  authtoken  ${created.authtoken}`,
              'The API key and authtoken are shown only now; keep them.',
            ].join('\n'),
          );
        }),
      ),
  );
  account.addCommand(
    withStore(new Command('list').description('list every account, newest first'))
      .option('--json', 'print a JSON array of {"id","name","created_at"}')
      .action((flags: OutputFlags) =>
        run(flags, async (store) => {
          const accounts = await store.accounts.list();
          if (flags.json)
            return print(JSON.stringify(accounts.map(({ id, name, created_at }) => ({ id, name, created_at }))));
          const width = Math.max(4, ...accounts.map((a) => a.name.length));
          print(
            [
              `${'ID'.padEnd(32)} ${'NAME'.padEnd(width)} CREATED`,
              ...accounts.map((a) => `${a.id.padEnd(32)} ${a.name.padEnd(width)} ${a.created_at}`),
            ].join('\n'),
          );
        }),
      ),
  );
  account.addCommand(
    withLimitFlags(
      withStore(
        new Command('limits')
          .description("show an account's limits, or change those given (in force at once, also on a running edge)")
          .argument('<name|id>', 'account name or id'),
      ),
    )
      .option('--json', 'print {"<limit>": {"value", "default"}} for every limit')
      .action((nameOrId: string, flags: OutputFlags) =>
        run(flags, async (store) => {
          const found = await findAccount(store, nameOrId);
          if (!found) throw new UsageError(`no account named or with id "${nameOrId}"; see portico account list`);
          await store.accountLimits.set(found.id, limitFlags(flags));
          const rows = await describeLimits(store, found.id);
          if (flags.json)
            return print(
              JSON.stringify(Object.fromEntries(rows.map((r) => [r.name, { value: r.value, default: r.default }]))),
            );
          const width = Math.max(...rows.map((r) => flagOf(r.name).length - 2));
          print(
            [
              `Limits of account ${found.name} (${found.id}):`,
              ...rows.map(
                (r) => `  ${flagOf(r.name).slice(2).padEnd(width)}  ${r.value}${r.default ? ' (default)' : ''}`,
              ),
            ].join('\n'),
          );
        }),
      ),
  );
  account.addCommand(
    withStore(
      new Command('unrestrict')
        .description(
          "delete an account's IP restrictions of one type (the way back in when its API restriction refuses every address it calls from)",
        )
        .argument('<name|id>', 'account name or id')
        .option('--type <type>', `the restrictions' type: ${restrictionTypes.join(', ')}`, 'api'),
    ).action((nameOrId: string, flags: StoreFlags & { type: string }) =>
      run(flags, async (store) => {
        const found = await findAccount(store, nameOrId);
        if (!found) throw new UsageError(`no account named or with id "${nameOrId}"; see portico account list`);
        if (!restrictionTypes.some((t) => t === flags.type))
          throw new UsageError(`--type ${flags.type}: use one of ${restrictionTypes.join(', ')}`);
        const doomed = (await store.resources.all(configKinds.ipRestriction, found.id)).filter(
          (r) => r.doc.type === flags.type,
        );
        for (const r of doomed) await store.resources.delete(found.id, r.kind, r.id);
        print(
          doomed.length
            ? `Deleted ${doomed.length} ${flags.type} IP restriction(s) of account ${found.name}: ${doomed.map((r) => r.id).join(', ')}.`
            : `Account ${found.name} has no ${flags.type} IP restrictions.`,
        );
      }),
    ),
  );
  account.addCommand(
    withStore(
      new Command('delete')
        .description('delete an account with its API keys, authtokens and resources; ends its agent sessions')
        .argument('<name|id>', 'account name or id'),
    ).action((nameOrId: string, flags: StoreFlags) =>
      run(flags, async (store) => {
        const found = await findAccount(store, nameOrId);
        if (!found) throw new UsageError(`no account named or with id "${nameOrId}"; see portico account list`);
        await store.accounts.delete(found.id);
        print(`Deleted account ${found.name} (${found.id}) with its API keys, authtokens and resources.`);
      }),
    ),
  );
  return account;
}

function withStore(command: Command): Command {
  return command
    .option('--data-dir <dir>', 'the edge data directory ($PORTICO_DATA_DIR)', defaultDataDir())
    .option(
      '--database-url <url>',
      'store URL, as given to portico edge ($DATABASE_URL; default: SQLite in the data dir)',
      process.env.DATABASE_URL,
    );
}

/** Opens the store, runs `body`, closes the store; errors go to stderr with exit status 1. */
async function run(flags: StoreFlags, body: (store: Store) => Promise<void>): Promise<void> {
  let store: Store | undefined;
  try {
    // Loaded on demand so that the other commands never load the store.
    const { openStore } = await import('../store/store.ts');
    store = await openStore({ dataDir: flags.dataDir, url: flags.databaseUrl });
    await body(store);
  } catch (err) {
    const message =
      err instanceof UsageError ? err.message : isPorticoError(err) ? `${err.message} [${err.code}]` : String(err);
    process.stderr.write(`ERROR: ${message}\n`);
    process.exitCode = 1;
  } finally {
    await store?.close();
  }
}

function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

/** A mistake of the operator's, reported without a stack or code. */
class UsageError extends Error {}
