/**
 * Edges as plain data: host names or ports, routes, the backend each serves, TLS policy. Every
 * reference (backends, IP policies, certificate authorities) must exist in the edge's account,
 * and the modules must make sense together; a problem names the field.
 */
import { ErrorCode } from '../../errors/catalogue.ts';
import type { ResourceRecord } from '../../store/resources.ts';
import { configKinds } from '../documents/kinds.ts';
import { containsHttpResponse, type BackendPlan } from './backends.ts';
import { isOn, type BackendSlot, type EdgeDocument } from './documents.ts';
import { compileConnModules, compileRouteModules, type RouteModuleSlots } from '../modules/compile.ts';
import type { IpPolicyRules } from '../modules/ip-restriction.ts';
import type { HttpModulePlan, IpRestrictionPlan } from '../modules/plans.ts';
import { ConfigProblem } from './problem.ts';
import { compileTlsPolicy, defaultTlsPolicy, type TlsPolicy } from './tls-policy.ts';

export interface RoutePlan {
  id: string;
  matchType: string;
  match: string;
  /** Undefined when the route has no (enabled) backend module. */
  backendId: string | undefined;
  /** The route's enabled modules in the fixed order. */
  modules: HttpModulePlan[];
}

export type EdgePlan =
  | { kind: 'https'; id: string; accountId: string; hostnames: string[]; routes: RoutePlan[]; tls: TlsPolicy }
  | {
      kind: 'tls';
      id: string;
      accountId: string;
      hostnames: string[];
      terminateAt: 'edge' | 'upstream';
      backendId: string | undefined;
      tls: TlsPolicy;
      ipRestriction: IpRestrictionPlan | undefined;
    }
  | {
      kind: 'tcp';
      id: string;
      accountId: string;
      ports: number[];
      backendId: string | undefined;
      ipRestriction: IpRestrictionPlan | undefined;
    };

/** What an edge's references resolve against: the account's compiled backends and its other records. */
export interface EdgeContext {
  backends: ReadonlyMap<string, BackendPlan>;
  /** CA PEMs by `<account id>/<id>`. */
  caPems: ReadonlyMap<string, string>;
  /** The rules of every IP policy, by `<account id>/<id>`. */
  ipPolicyRules: IpPolicyRules;
}

/** Compiles one edge record; throws the ConfigProblem of the first thing wrong. */
export function compileEdge(record: ResourceRecord, ctx: EdgeContext): EdgePlan {
  const doc = record.doc as EdgeDocument;
  const hostports = doc.hostports ?? [];
  const base = { id: record.id, accountId: record.account_id };
  const refs = references(record.account_id, ctx);
  const modules = { accountId: record.account_id, ipPolicyRules: ctx.ipPolicyRules };
  const tls = () => compileTlsPolicy(doc, (id) => ctx.caPems.get(`${record.account_id}/${id}`));
  switch (record.kind) {
    case configKinds.httpsEdge: {
      const routes = (doc.routes ?? []).map((route, i): RoutePlan => {
        const backendId = refs.backend(route.backend, `routes[${i}].backend`, true);
        return {
          id: route.id,
          matchType: route.match_type,
          match: route.match,
          backendId,
          modules: compileRouteModules(route as RouteModuleSlots, `routes[${i}].`, {
            ...modules,
            route: { id: route.id, hostports },
          }),
        };
      });
      return { kind: 'https', ...base, hostnames: hostports.map(hostOf), routes, tls: tls() };
    }
    case configKinds.tlsEdge: {
      const termination = isOn(doc.tls_termination) ? doc.tls_termination : undefined;
      // The product default: TLS terminates at the edge unless the module says upstream.
      const terminateAt = termination?.terminate_at === 'upstream' ? 'upstream' : 'edge';
      // Passing through, the edge never sees the client certificate: refuse rather than let everyone in.
      if (terminateAt === 'upstream' && isOn(doc.mutual_tls)) {
        throw new ConfigProblem(
          'mutual_tls',
          ErrorCode.ERR_MUTUAL_TLS_NEEDS_TERMINATION,
          'needs tls_termination.terminate_at "edge"; with "upstream" the edge cannot check client certificates',
        );
      }
      const backendId = refs.backend(doc.backend, 'backend', false);
      return {
        kind: 'tls',
        ...base,
        hostnames: hostports.map(hostOf),
        terminateAt,
        backendId,
        tls: terminateAt === 'edge' ? tls() : defaultTlsPolicy,
        ipRestriction: compileConnModules(doc, modules),
      };
    }
    default: {
      const ports = hostports.map((hp, i) => portOf(hp, `hostports[${i}]`));
      return {
        kind: 'tcp',
        ...base,
        ports,
        backendId: refs.backend(doc.backend, 'backend', false),
        ipRestriction: compileConnModules(doc, modules),
      };
    }
  }
}

/** Checks of the references an edge's modules make, within `accountId`. */
function references(accountId: string, ctx: EdgeContext) {
  return {
    /** The backend id of an enabled backend module (undefined without one); `http` when HTTP response backends may serve. */
    backend(slot: BackendSlot | null | undefined, field: string, http: boolean): string | undefined {
      if (!isOn(slot) || !slot.backend_id) return undefined;
      const id = slot.backend_id;
      const plan = ctx.backends.get(id);
      if (!plan || plan.accountId !== accountId)
        throw new ConfigProblem(
          `${field}.backend_id`,
          ErrorCode.ERR_NGROK_242,
          `${id} does not exist or does not compile`,
        );
      if (!http && containsHttpResponse(ctx.backends, id)) {
        throw new ConfigProblem(
          `${field}.backend_id`,
          ErrorCode.ERR_BACKEND_NOT_FOR_CONNECTIONS,
          `${id} contains an HTTP response backend, which only HTTPS edges can use`,
        );
      }
      return id;
    },
  };
}

/** "app.example.com:443" → "app.example.com". */
function hostOf(hostport: string): string {
  return hostport.replace(/:\d+$/, '').toLowerCase();
}

function portOf(hostport: string, field: string): number {
  const port = Number(/:(\d+)$/.exec(hostport)?.[1]);
  if (!port) throw new ConfigProblem(field, ErrorCode.ERR_HOSTPORT_INVALID, `"${hostport}" has no port`);
  return port;
}
