/**
 * Every configuration write the API makes runs the configuration layer's compile as a dry run
 * first: over the account's records with the change applied. A change that makes a record fail
 * to compile is refused with a 400 naming the field; nothing is stored. So `config_error` on a
 * read is left for what only the live edge can discover.
 */
import { compileConfig } from '../config/compile/compile.ts';
import type { ConfigProblem } from '../config/compile/problem.ts';
import { compiledKinds } from '../config/documents/kinds.ts';
import type { Doc, ResourceRecord, Resources } from '../store/resources.ts';
import type { Store } from '../store/store.ts';
import { ApiError } from './errors.ts';

/** The id a record being created has during the dry run. */
const creating = '(new)';

/** `store` with `resources.create/update/delete` of configuration kinds checked by compiling. */
export function gateConfigWrites(store: Store): Store {
  const resources = store.resources;
  const check = async (accountId: string, change: (records: ResourceRecord[]) => ResourceRecord[], self: string) => {
    const records = await resources.all(compiledKinds as string[], accountId);
    refuseNewProblems(compileConfig(records).problems, compileConfig(change(records)).problems, self);
  };
  const gated: Partial<Resources> = {
    create: async <T extends Doc>(
      accountId: string,
      kind: string,
      prefix: string,
      doc: T,
      key: string | null = null,
    ) => {
      if (compiledKinds.includes(kind)) {
        await check(
          accountId,
          (rs) => [...rs, { id: creating, account_id: accountId, kind, key, created_at: '', doc }],
          creating,
        );
      }
      return resources.create(accountId, kind, prefix, doc, key);
    },
    update: async <T extends Doc>(accountId: string, kind: string, id: string, doc: T) => {
      if (compiledKinds.includes(kind))
        await check(accountId, (rs) => rs.map((r) => (r.id === id ? { ...r, doc } : r)), id);
      return resources.update(accountId, kind, id, doc);
    },
    delete: async (accountId: string, kind: string, id: string) => {
      if (compiledKinds.includes(kind)) await check(accountId, (rs) => rs.filter((r) => r.id !== id), id);
      return resources.delete(accountId, kind, id);
    },
  };
  const proxied = new Proxy(resources, {
    get: (target, prop, receiver) => {
      if (prop in gated) return gated[prop as keyof typeof gated];
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { ...store, resources: proxied };
}

/**
 * Throws when `after` has a problem `before` did not: the written record's own first, naming
 * its field; else the first other record the change would break.
 */
function refuseNewProblems(before: Map<string, ConfigProblem>, after: Map<string, ConfigProblem>, self: string): void {
  const fresh = [...after].filter(([id, p]) => before.get(id)?.message !== p.message);
  const own = fresh.find(([id]) => id === self);
  if (own) throw asApiError(own[1], '');
  const [otherId, other] = fresh[0] ?? [];
  if (other) throw asApiError(other, `this change would leave ${otherId} unable to compile: `);
}

function asApiError(problem: ConfigProblem, prefix: string): ApiError {
  return new ApiError(problem.code, prefix + problem.message, { field: problem.field });
}
