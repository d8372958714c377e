/** What the agent ingress is made with: the names its certificate covers, and each connection's deps. */
import { hostname as osHostname } from 'node:os';
import type { AccountRestrictions } from '../config/ip-rules/account-restrictions.ts';
import type { EdgeConfig } from '../edge/config.ts';
import type { LeafNames } from '../edge/tls/local-ca.ts';
import type { AgentConnectionDeps } from '../edge/tunnels/agent-connection.ts';
import type { TunnelRegistry } from '../edge/tunnels/registry.ts';
import type { SessionCookies } from '../edge/tunnels/session-cookie.ts';
import type { Store } from '../store/store.ts';
import { porticoVersion } from '../version.ts';

/** The names and addresses agents may dial the edge by: its agent certificate covers them. */
export function agentNames(config: EdgeConfig): LeafNames {
  const host = config.agentAddr.host;
  const isIp = (h: string) => /^[\d.:]+$/.test(h);
  const dnsNames = [...new Set(['localhost', osHostname(), config.domain, host].filter((h) => h && !isIp(h)))];
  const ipAddresses = [
    ...new Set(['127.0.0.1', '::1', ...(isIp(host) && host !== '0.0.0.0' && host !== '::' ? [host] : [])]),
  ];
  return { dnsNames, ipAddresses };
}

/** What each agent connection is served with. */
export function agentDeps(
  config: EdgeConfig,
  o: {
    store: Store;
    registry: TunnelRegistry;
    cookies: SessionCookies;
    authTimeoutMs: number;
    restrictions: () => AccountRestrictions;
  },
): AgentConnectionDeps {
  const { store } = o;
  return {
    registry: o.registry,
    cookies: o.cookies,
    limits: (accountId) => store.accountLimits.get(accountId),
    region: config.region,
    version: porticoVersion,
    authTimeoutMs: o.authTimeoutMs,
    restrictions: o.restrictions,
    logger: config.logger.child({ component: 'edge.agents' }),
    authenticate: async (token) => {
      const hit = await store.credentials.authenticate(token);
      return (
        hit && {
          accountId: hit.account.id,
          accountName: hit.account.name,
          credentialId: hit.credential.id,
          acl: hit.credential.acl,
        }
      );
    },
  };
}
