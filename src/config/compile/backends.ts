/**
 * Backends as plain data: children resolved (within the account), cycles and missing children
 * found, each with the field path of the reference that is wrong.
 */
import { ErrorCode } from '../../errors/catalogue.ts';
import type { ResourceRecord } from '../../store/resources.ts';
import { configKinds } from '../documents/kinds.ts';
import { framingHeaderProblem } from '../modules/framing-headers.ts';
import { isAddressProblem, parseStaticAddress } from '../static-address/static-address.ts';
import type { BackendDocument } from './documents.ts';
import { ConfigProblem } from './problem.ts';

export type BackendPlan =
  | { kind: 'tunnel_group'; id: string; accountId: string; labels: Record<string, string> }
  | { kind: 'failover'; id: string; accountId: string; children: string[] }
  | { kind: 'weighted'; id: string; accountId: string; children: Array<{ id: string; weight: number }> }
  | {
      kind: 'http_response';
      id: string;
      accountId: string;
      statusCode: number;
      headers: Record<string, string>;
      body: string;
    }
  | {
      kind: 'static';
      id: string;
      accountId: string;
      /** The dialed address, host without brackets. */
      host: string;
      port: number;
      /** TLS to the address, its certificate verified for `host`. */
      tls: boolean;
    };

export interface BackendPlans {
  /** Every backend that compiled, by id. */
  plans: Map<string, BackendPlan>;
  /** Why the others did not, by id. */
  problems: Map<string, ConfigProblem>;
}

/** Compiles every backend record; a backend whose child does not compile does not compile either. */
export function compileBackends(records: readonly ResourceRecord[]): BackendPlans {
  const byId = new Map(records.map((r) => [r.id, r]));
  const plans = new Map<string, BackendPlan>();
  const problems = new Map<string, ConfigProblem>();
  const building = new Set<string>();

  // Resolves `id` as a child of `parent` at `field`; throws the problem of that reference.
  const child = (parent: ResourceRecord, id: string, field: string): void => {
    const record = byId.get(id);
    if (!record || record.account_id !== parent.account_id)
      throw new ConfigProblem(field, ErrorCode.ERR_NGROK_242, `${id} does not exist`);
    if (building.has(id))
      throw new ConfigProblem(
        field,
        ErrorCode.ERR_BACKEND_CYCLE,
        `${id} leads back to ${parent.id}; a backend may not contain itself`,
      );
    build(record);
    const problem = problems.get(id);
    if (problem) throw new ConfigProblem(field, problem.code, `${id} does not compile (${problem.message})`);
  };

  const build = (record: ResourceRecord): void => {
    if (plans.has(record.id) || problems.has(record.id)) return;
    building.add(record.id);
    try {
      plans.set(record.id, plan(record, child));
    } catch (err) {
      if (!(err instanceof ConfigProblem)) throw err;
      problems.set(record.id, err);
    } finally {
      building.delete(record.id);
    }
  };

  for (const record of records) build(record);
  return { plans, problems };
}

function plan(record: ResourceRecord, child: (parent: ResourceRecord, id: string, field: string) => void): BackendPlan {
  const doc = record.doc as BackendDocument;
  const base = { id: record.id, accountId: record.account_id };
  switch (record.kind) {
    case configKinds.tunnelGroupBackend:
      return { kind: 'tunnel_group', ...base, labels: { ...(doc.labels ?? {}) } };
    case configKinds.failoverBackend: {
      const children = Array.isArray(doc.backends) ? doc.backends : [];
      children.forEach((id, i) => child(record, id, `backends[${i}]`));
      return { kind: 'failover', ...base, children };
    }
    case configKinds.weightedBackend: {
      const weights = doc.backends && !Array.isArray(doc.backends) ? doc.backends : {};
      for (const id of Object.keys(weights)) child(record, id, `backends.${id}`);
      return { kind: 'weighted', ...base, children: Object.entries(weights).map(([id, weight]) => ({ id, weight })) };
    }
    case configKinds.staticBackend: {
      const address = parseStaticAddress(doc.address ?? '');
      if (isAddressProblem(address)) throw new ConfigProblem('address', address.code, address.reason);
      return { kind: 'static', ...base, host: address.host, port: address.port, tls: doc.tls?.enabled === true };
    }
    default: {
      // The API refuses both on input; a record stored before it did fails here, closed.
      const statusCode = doc.status_code ?? 200;
      if (statusCode < 200)
        throw new ConfigProblem('status_code', ErrorCode.ERR_NGROK_215, 'an HTTP response backend answers 200 to 599');
      for (const name of Object.keys(doc.headers ?? {})) {
        const problem = framingHeaderProblem(name, 'add');
        if (problem) throw new ConfigProblem(`headers.${name}`, ErrorCode.ERR_NGROK_215, problem);
      }
      return { kind: 'http_response', ...base, statusCode, headers: { ...(doc.headers ?? {}) }, body: doc.body ?? '' };
    }
  }
}

/** True when `id` is, or contains through failover/weighted children, an HTTP response backend. */
export function containsHttpResponse(plans: ReadonlyMap<string, BackendPlan>, id: string): boolean {
  const plan = plans.get(id);
  if (!plan) return false;
  if (plan.kind === 'http_response') return true;
  if (plan.kind === 'failover') return plan.children.some((c) => containsHttpResponse(plans, c));
  if (plan.kind === 'weighted') return plan.children.some((c) => containsHttpResponse(plans, c.id));
  return false;
}
