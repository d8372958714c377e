/**
 * The one catalogue of Portico's error codes. Every error a user can see carries one of these
 * codes, an HTTP status where one applies, and a message the user can act on.
 * Codes are never renamed or reused.
 */
export const errorCatalogue = {
  // Agent ingress and tunnels
  ERR_AUTHTOKEN_INVALID: { status: 401, message: 'The authtoken is not valid. Use the authtoken the edge printed, or one created through the API (/credentials).' },
  ERR_AUTHTOKEN_MISSING: { status: 401, message: 'No authtoken was given. Pass --authtoken, run `portico config add-authtoken`, or start the edge on this machine so bootstrap.json exists.' },
  ERR_BIND_NOT_ALLOWED: { status: 403, message: "The authtoken's ACL does not allow binding this name." },
  ERR_HOSTNAME_TAKEN: { status: 409, message: 'This hostname is already bound by another agent. Stop it first, or start both agents with --pooling-enabled to load-balance.' },
  ERR_HOSTNAME_INVALID: { status: 400, message: 'The hostname is not a valid DNS name.' },
  ERR_HOSTNAME_NOT_RESERVED: { status: 403, message: 'The hostname is outside the edge domain and is not reserved by this account. Reserve it first (/reserved_domains).' },
  ERR_ADDR_INVALID: { status: 400, message: 'The TCP address must be host:port with a port inside the edge --tcp-ports range.' },
  ERR_ADDR_TAKEN: { status: 409, message: 'This TCP address is already bound by another agent.' },
  ERR_NGROK_307: { status: 403, message: 'This TCP address is not reserved by your account. Reserve it first (/reserved_addrs), or leave the address out to get a random one.' },
  ERR_NGROK_309: { status: 403, message: 'This TCP address is reserved by another account. Use an authtoken of the account that reserved it.' },
  ERR_ADDR_EXHAUSTED: { status: 503, message: 'Every port in the edge --tcp-ports range is in use.' },
  ERR_REGION_MISMATCH: { status: 400, message: 'This edge serves another region. Drop --region or ask for the region the edge serves.' },
  ERR_PROTO_UNSUPPORTED: { status: 400, message: 'This tunnel protocol is not supported. Use http, https, tcp or tls.' },
  ERR_OPTION_UNSUPPORTED: { status: 400, message: 'An agent-side module option was given that this edge does not support yet.' },
  ERR_TUNNEL_NOT_FOUND: { status: 404, message: 'No tunnel with this id is bound in this session.' },
  ERR_LABELS_INVALID: { status: 400, message: 'Labels must be a non-empty map of names to values.' },
  ERR_SESSION_LIMIT: { status: 503, message: 'Too many concurrent streams for this tunnel session; try again shortly.' },
  ERR_AGENT_COMMAND_FAILED: { status: 400, message: 'The agent did not carry out the command.' },
  ERR_EDGE_SHUTTING_DOWN: { status: 503, message: 'This edge is shutting down; reconnect to another edge node or retry shortly.' },
  ERR_BAD_REQUEST: { status: 400, message: 'The request could not be read.' },

  // Public traffic
  ERR_EDGE_TUNNEL_NOT_FOUND: { status: 404, message: 'No tunnel is online for this host. Start an agent for it, e.g. `portico http 3000`.' },
  ERR_EDGE_NO_SNI: { status: 421, message: 'The client sent no server name (SNI), so the edge cannot tell which endpoint it wants.' },
  ERR_EDGE_TLS_MISDIRECTED: { status: 421, message: 'This connection was set up for another name (SNI), whose TLS settings differ from those of the requested host. Connect again with the host as the server name.' },
  ERR_EDGE_AGENT_GONE: { status: 502, message: 'The agent serving this host went away while the request was in flight.' },
  ERR_EDGE_AGENT_BUSY: { status: 503, message: 'The agent serving this host has too many connections open; try again shortly.' },
  ERR_EDGE_UPSTREAM_REFUSED: { status: 502, message: 'The agent could not reach the local service it forwards to. Is it running?' },
  ERR_EDGE_NO_BACKEND: { status: 503, message: 'No backend of this edge could serve the request: no tunnel matching its labels is online.' },
  ERR_EDGE_ROUTE_NOT_FOUND: { status: 404, message: 'No route of this edge matches the request path.' },
  ERR_EDGE_BAD_REQUEST: { status: 400, message: 'The request is malformed.' },
  ERR_EDGE_REQUEST_TIMEOUT: { status: 408, message: 'The request did not arrive in time (the edge --read-header-timeout or --request-timeout).' },
  ERR_NGROK_3603: { status: 508, message: 'The request came back to the edge it already passed through: the agent forwards to the edge itself. Point the agent at your service, not at the edge\'s public port.' },
  ERR_NGROK_3008: { status: 504, message: 'The service behind the tunnel did not answer in time: no response headers arrived within the edge --upstream-header-timeout.' },

  // Protocol
  ERR_MUX_PROTOCOL: { status: 400, message: 'The peer broke the muxado framing rules.' },
  ERR_MUX_FLOW_CONTROL: { status: 400, message: 'The peer sent more data than the stream window allows.' },
  ERR_MUX_FRAME_SIZE: { status: 400, message: 'A frame had an invalid length for its type.' },
  ERR_MUX_STREAMS_EXHAUSTED: { status: 503, message: 'The session has no stream ids or stream slots left.' },
  ERR_MUX_SESSION_CLOSED: { status: 502, message: 'The session is closed.' },
  ERR_MUX_STREAM_RESET: { status: 502, message: 'The peer reset the stream.' },
  ERR_RPC_TOO_LARGE: { status: 413, message: 'An RPC message was larger than the limit.' },
  ERR_RPC_MALFORMED: { status: 400, message: 'An RPC message was not valid JSON.' },
  ERR_RPC_TIMEOUT: { status: 504, message: 'The peer did not answer the RPC in time.' },

  // Agent side
  ERR_AGENT_CONNECT: { status: 502, message: 'The agent could not connect to the edge. Check --server-addr and --ca-cert.' },
  ERR_AGENT_CONFIG: { status: 400, message: 'The agent configuration is invalid.' },
  ERR_AGENT_EDGE_UNREACHABLE: { status: 502, message: 'The agent could not reach the edge: nothing accepted a connection at its address (refused, timed out, or the name does not resolve). Is `portico edge` running, and is the address its agent address (--agent-addr)?' },
  ERR_TRUST_CA: { status: 400, message: 'The CA certificate to trust cannot be used: it is missing, unreadable, or not a CA certificate.' },
  ERR_AGENT_TLS_CERT_INVALID: { status: 400, message: 'The certificate or key the agent should terminate TLS with (--crt/--key) cannot be used. Give a PEM certificate (chain) and the unencrypted PEM private key that belongs to it.' },

  // Edge process
  ERR_CONFIG_INVALID: { status: 400, message: 'An edge flag or configuration value is invalid.' },
  ERR_LISTEN: { status: 500, message: 'The edge could not bind one of its addresses. If the port is in use (is another `portico edge` running?), stop that program or pick another address with the flag named below.' },

  // Certificates
  ERR_TLS_CA_INVALID: { status: 500, message: 'The local CA files in the data directory cannot be used (unreadable, not a CA, or the key does not match). Move ca.pem and ca-key.pem aside to create a new CA.' },
  ERR_ACME_WILDCARD_NEEDS_DNS: { status: 400, message: 'Wildcard names can only be validated over DNS-01, which this edge does not answer. Upload a certificate for the wildcard (/tls_certificates) and attach it with certificate_id.' },
  ERR_ACME_CHALLENGE_FAILED: { status: 502, message: 'The ACME server could not validate the domain. Check that its DNS points at this edge and that ports 80 (HTTP-01) or 443 (TLS-ALPN-01) reach the edge. It is retried with backoff.' },
  ERR_ACME_ORDER_FAILED: { status: 502, message: 'The ACME server refused or failed the certificate order. It is retried with backoff.' },

  // Store
  ERR_STORE_OPEN: { status: 500, message: 'The store could not be opened or migrated. Check the data directory permissions and the database URL.' },
  ERR_STORE_CONFLICT: { status: 409, message: 'A record with this unique value already exists.' },
  ERR_STORE_NOT_FOUND: { status: 404, message: 'The record this refers to does not exist.' },

  // API requests the framework refuses before a route runs
  ERR_API_BAD_URL: { status: 400, message: 'The request URL has a percent-encoded sequence that is not valid UTF-8. Encode each path segment with encodeURIComponent.' },
  ERR_API_URI_TOO_LONG: { status: 414, message: 'A path segment of the request URL is longer than 100 characters; ids and names are shorter. Check the URL.' },
  ERR_API_HEADERS_TOO_LARGE: { status: 431, message: 'The request line and headers together exceed 16 KiB. Send fewer or smaller headers, or a shorter URL.' },
  ERR_API_MALFORMED_REQUEST: { status: 400, message: 'The request is not valid HTTP/1.1 (for example an unknown method or a broken header line).' },
  ERR_API_REQUEST_TIMEOUT: { status: 408, message: 'The request was not received in time.' },

  // Reserved names (ngrok's codes): the operator's domain, other accounts' names
  ERR_NGROK_404: { status: 400, message: "This is the edge's own domain (--domain), which belongs to the operator. Reserve a name under it instead." },
  ERR_NGROK_413: { status: 400, message: 'This domain is already reserved by your account.' },
  ERR_NGROK_414: { status: 400, message: 'This domain is already reserved or in use by another account.' },
  ERR_NGROK_416: { status: 400, message: "A wildcard may not cover the edge's own domain (--domain). Reserve a name or a wildcard under it instead." },
  ERR_NGROK_417: { status: 400, message: 'This wildcard would cover a name another account reserved or uses.' },

  // Account limits and edge size (ngrok's codes); the operator sets limits with `portico account limits`
  ERR_NGROK_415: { status: 400, message: 'This account holds as many reserved domains as its limit allows. Delete one, or ask the operator to raise --max-reserved-domains.' },
  ERR_NGROK_508: { status: 400, message: 'This account holds as many reserved addresses as its limit allows. Delete one, or ask the operator to raise --max-reserved-addrs.' },
  ERR_NGROK_226: { status: 429, message: 'This account is making more API requests than its limit allows; retry after the seconds in Retry-After, or ask the operator to raise --max-api-requests-per-minute.' },
  ERR_NGROK_108: { status: 429, message: 'This account has as many agent sessions as its limit allows. Stop an agent, or ask the operator to raise --max-sessions.' },
  ERR_NGROK_324: { status: 429, message: "This agent session has as many tunnels as its account's limit allows. Stop one, or ask the operator to raise --max-tunnels-per-session." },
  ERR_NGROK_7129: { status: 400, message: 'The edge has more hostports than one edge may have; split them over several edges.' },

  // Configuration that does not compile (refused on the write; config_error for what only the live edge finds)
  ERR_NGROK_242: { status: 400, message: 'The backend this refers to does not exist in your account (or does not compile). Create it under /backends first.' },
  ERR_NGROK_1607: { status: 400, message: 'The IP policy this refers to does not exist in your account. Create it under /ip_policies first.' },
  ERR_NGROK_1672: { status: 400, message: 'The certificate authority this refers to does not exist in your account. Upload it under /certificate_authorities first.' },
  ERR_BACKEND_CYCLE: { status: 400, message: 'Backends would contain themselves through failover or weighted children, and traffic would loop.' },
  ERR_BACKEND_NOT_FOR_CONNECTIONS: { status: 400, message: 'TLS and TCP edges carry connections, not HTTP requests: their backends may not contain an HTTP response backend.' },
  ERR_MUTUAL_TLS_NEEDS_TERMINATION: { status: 400, message: 'mutual_tls needs the edge to terminate TLS (tls_termination.terminate_at "edge"): passing TLS through, the edge cannot check client certificates.' },
  ERR_HOSTPORT_INVALID: { status: 400, message: 'A hostport must be "host:port".' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof errorCatalogue;

/** An error with a stable code from the catalogue; `message` is safe to show to users. */
export class PorticoError extends Error {
  readonly code: ErrorCode;
  readonly status: number;

  constructor(code: ErrorCode, detail?: string, options?: { cause?: unknown; status?: number }) {
    const entry = errorCatalogue[code];
    super(detail ? `${entry.message} (${detail})` : entry.message, { cause: options?.cause });
    this.name = 'PorticoError';
    this.code = code;
    this.status = options?.status ?? entry.status;
  }
}

export function isPorticoError(err: unknown): err is PorticoError {
  return err instanceof PorticoError;
}
