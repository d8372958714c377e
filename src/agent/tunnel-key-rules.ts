/**
 * Which tunnel keys apply to which kind of tunnel (config file and the agent API's
 * `POST /api/tunnels`). A key the tunnel's kind would not send is refused, never dropped: a
 * labeled tunnel's `basic_auth` would otherwise leave the service open behind the edge.
 */
import type { TunnelProto } from '../protocol/messages.ts';
import { moduleKeys } from './config-modules.ts';

/** The keys a labeled tunnel takes, as ngrok's agent: the rest belongs to the edge. */
export const labeledTunnelKeys = ['labels', 'metadata', 'addr', 'inspect'] as const;

/** The keys that name the public hostname; a tunnel takes one of them at most. */
export const namingKeys = ['domain', 'hostname', 'subdomain'] as const;

/** The module keys tcp and tls tunnels take; the others act on HTTP requests. */
const connectionModuleKeys: readonly string[] = ['ip_restriction'];

/** A key of `raw` that a tunnel of its kind does not take, and why; undefined when there is none. */
export function misplacedKey(raw: Record<string, unknown>): { key: string; why: string } | undefined {
  const given = Object.keys(raw).filter((k) => raw[k] !== undefined);
  if (raw.labels !== undefined) {
    const key = given.find((k) => !(labeledTunnelKeys as readonly string[]).includes(k));
    return key ? { key, why: labeledWhy } : undefined;
  }
  const proto = (raw.proto ?? 'http') as TunnelProto;
  const names = given.filter((k) => (namingKeys as readonly string[]).includes(k));
  if (names.length > 1)
    return { key: names[1]!, why: `give one of ${namingKeys.join(', ')}, not both ${names[0]} and ${names[1]}` };
  for (const key of given) {
    const why = protoWhy(key, proto, raw);
    if (why) return { key, why };
  }
  return undefined;
}

const labeledWhy =
  `a labeled tunnel takes only ${labeledTunnelKeys.join(', ')}: the edge whose tunnel-group backend selects its ` +
  "labels decides its hostname and protocol, and modules (basic_auth, ip_restriction, oauth, …) go on that edge's route; " +
  'remove the key here and set it on the edge';

/** Why `key` does not apply to a `proto` tunnel, or undefined when it does. */
function protoWhy(key: string, proto: TunnelProto, raw: Record<string, unknown>): string | undefined {
  if (key === 'remote_addr' && proto !== 'tcp') return 'applies to tcp tunnels only';
  if ((namingKeys as readonly string[]).includes(key) && proto === 'tcp')
    return 'a tcp tunnel has no hostname: its address is remote_addr';
  if (key === 'scheme') {
    if (proto === 'tcp' || proto === 'tls') return 'applies to http tunnels only';
    if (proto === 'https' && raw.scheme !== 'https')
      return 'a proto: https tunnel is served over https only; for a plain-http URL write proto: http with scheme: http';
  }
  if ((key === 'crt' || key === 'key') && proto === 'tcp')
    return 'applies to http and tls tunnels only (the agent terminates TLS)';
  const isModule = (moduleKeys as readonly string[]).includes(key);
  if (isModule && (proto === 'tcp' || proto === 'tls') && !connectionModuleKeys.includes(key))
    return `applies to http tunnels only (a ${proto} tunnel takes ${connectionModuleKeys.join(', ')})`;
  return undefined;
}
