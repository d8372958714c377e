/** Codes of agent sessions: the edge's agent ingress, the muxado protocol and our own agent. */
import type { ErrorEntry } from './entry.ts';

export const agentErrors = {
  // Agent ingress and tunnels
  ERR_AUTHTOKEN_INVALID: {
    status: 401,
    ngrok: 'ERR_NGROK_107',
    message:
      'The authtoken is not valid. Use the authtoken the edge printed, or one created through the API (/credentials).',
  },
  ERR_AUTHTOKEN_MISSING: {
    status: 401,
    ngrok: 'ERR_NGROK_4018',
    message:
      'No authtoken was given. Pass --authtoken, run `portico config add-authtoken`, or start the edge on this machine so bootstrap.json exists.',
  },
  ERR_AGENT_IP_RESTRICTED: {
    status: 403,
    ngrok: 'ERR_NGROK_115',
    message:
      "The agent's IP address is not allowed by the account's agent IP restriction. Connect from an allowed address, or change the account's IP policies (/ip_restrictions).",
  },
  ERR_BIND_NOT_ALLOWED: { status: 403, message: "The authtoken's ACL does not allow binding this name." },
  ERR_HOSTNAME_TAKEN: {
    status: 409,
    ngrok: 'ERR_NGROK_334',
    message:
      'This hostname is already bound by another agent. Stop it first, or start both agents with --pooling-enabled to load-balance.',
  },
  ERR_HOSTNAME_INVALID: { status: 400, message: 'The hostname is not a valid DNS name.' },
  ERR_HOSTNAME_NOT_RESERVED: {
    status: 403,
    ngrok: 'ERR_NGROK_319',
    message:
      'The hostname is outside the edge domain and is not reserved by this account. Reserve it first (/reserved_domains).',
  },
  ERR_ADDR_INVALID: {
    status: 400,
    message: 'The TCP address must be host:port with a port inside the edge --tcp-ports range.',
  },
  ERR_ADDR_TAKEN: { status: 409, message: 'This TCP address is already bound by another agent.' },
  ERR_POOL_TLS_MISMATCH: {
    status: 409,
    message:
      'This hostname is pooled by agents asking for other client certificate authorities (mutual TLS). Give every agent of the pool the same CA bundle.',
  },
  ERR_NGROK_307: {
    status: 403,
    message:
      'This TCP address is not reserved by your account. Reserve it first (/reserved_addrs), or leave the address out to get a random one.',
  },
  ERR_NGROK_309: {
    status: 403,
    message: 'This TCP address is reserved by another account. Use an authtoken of the account that reserved it.',
  },
  ERR_ADDR_EXHAUSTED: { status: 503, message: 'Every port in the edge --tcp-ports range is in use.' },
  ERR_REGION_MISMATCH: {
    status: 400,
    message: 'This edge serves another region. Drop --region or ask for the region the edge serves.',
  },
  ERR_PROTO_UNSUPPORTED: {
    status: 400,
    ngrok: 'ERR_NGROK_332',
    message: 'This tunnel protocol is not supported. Use http, https, tcp or tls.',
  },
  ERR_OPTION_UNSUPPORTED: {
    status: 400,
    message: 'An agent-side module option was given that this edge does not support yet.',
  },
  ERR_TUNNEL_NOT_FOUND: { status: 404, message: 'No tunnel with this id is bound in this session.' },
  ERR_LABELS_INVALID: { status: 400, message: 'Labels must be a non-empty map of names to values.' },
  ERR_SESSION_LIMIT: {
    status: 503,
    message: 'Too many concurrent streams for this tunnel session; try again shortly.',
  },
  ERR_AGENT_COMMAND_FAILED: { status: 400, message: 'The agent did not carry out the command.' },
  ERR_AGENT_UPDATE_REFUSED: {
    status: 400,
    ngrok: 'ERR_NGROK_806',
    message: 'The agent does not support remote updating; update it where it runs.',
  },
  ERR_EDGE_SHUTTING_DOWN: {
    status: 503,
    ngrok: 'ERR_NGROK_803',
    message: 'This edge is shutting down; reconnect to another edge node or retry shortly.',
  },
  ERR_BAD_REQUEST: { status: 400, message: 'The request could not be read.' },

  // Account limits on agents (ngrok's codes); the operator sets limits with `portico account limits`
  ERR_NGROK_108: {
    status: 429,
    message:
      'This account has as many agent sessions as its limit allows. Stop an agent, or ask the operator to raise --max-sessions.',
  },
  ERR_NGROK_324: {
    status: 429,
    message:
      "This agent session has as many tunnels as its account's limit allows. Stop one, or ask the operator to raise --max-tunnels-per-session.",
  },

  // Protocol
  ERR_MUX_PROTOCOL: { status: 400, message: 'The peer broke the muxado framing rules.' },
  ERR_MUX_FLOW_CONTROL: { status: 400, message: 'The peer sent more data than the stream window allows.' },
  ERR_MUX_FRAME_SIZE: { status: 400, message: 'A frame had an invalid length for its type.' },
  ERR_MUX_STREAMS_EXHAUSTED: { status: 503, message: 'The session has no stream ids or stream slots left.' },
  ERR_MUX_SESSION_CLOSED: { status: 502, message: 'The session is closed.' },
  ERR_MUX_STREAM_RESET: { status: 502, message: 'The peer reset the stream.' },
  ERR_RPC_TOO_LARGE: { status: 413, ngrok: 'ERR_NGROK_812', message: 'An RPC message was larger than the limit.' },
  ERR_RPC_MALFORMED: { status: 400, ngrok: 'ERR_NGROK_801', message: 'An RPC message was not valid JSON.' },
  ERR_RPC_TIMEOUT: { status: 504, message: 'The peer did not answer the RPC in time.' },

  // Agent side
  ERR_AGENT_CONNECT: {
    status: 502,
    message: 'The agent could not connect to the edge. Check --server-addr and --ca-cert.',
  },
  ERR_AGENT_CONFIG: { status: 400, message: 'The agent configuration is invalid.' },
  ERR_AGENT_EDGE_UNREACHABLE: {
    status: 502,
    message:
      'The agent could not reach the edge: nothing accepted a connection at its address (refused, timed out, or the name does not resolve). Is `portico edge` running, and is the address its agent address (--agent-addr)?',
  },
  ERR_TRUST_CA: {
    status: 400,
    message: 'The CA certificate to trust cannot be used: it is missing, unreadable, or not a CA certificate.',
  },
  ERR_AGENT_TLS_CERT_INVALID: {
    status: 400,
    message:
      'The certificate or key the agent should terminate TLS with (--crt/--key) cannot be used. Give a PEM certificate (chain) and the unencrypted PEM private key that belongs to it.',
  },

  // The agent's traffic inspector and local API (127.0.0.1:4040)
  ERR_INSPECTOR_NOT_FOUND: {
    status: 404,
    message: 'No such resource in the agent API: see /api/tunnels and /api/requests/http.',
  },
  ERR_INSPECTOR_REQUEST_INVALID: {
    status: 400,
    message: 'The agent API request is invalid; the detail names what to change.',
  },
  ERR_INSPECTOR_TOO_LARGE: { status: 413, message: 'The agent API request body is larger than 1 MiB.' },
  ERR_INSPECTOR_HOST_REFUSED: {
    status: 403,
    message:
      'The agent API answers only requests addressed to a loopback name (localhost, 127.0.0.1, [::1]) or its own address.',
  },
  ERR_INSPECTOR_REPLAY_FAILED: {
    status: 502,
    message: "The request could not be replayed: the tunnel's local service did not accept the connection.",
  },
  ERR_INSPECTOR_INTERNAL: {
    status: 500,
    message: "The agent API failed to handle the request; the agent's log has the cause.",
  },
  ERR_INSPECTOR_ADDR_UNAVAILABLE: {
    status: 500,
    message:
      'The inspector could not listen on its address nor on the next ports; pass --inspect-addr with a free address, or --inspect-addr false.',
  },

  // Agent endpoint options
  ERR_NGROK_359: {
    status: 400,
    message: 'Invalid basic auth credential: the username must not be empty. Write credentials as "user:password".',
  },
  ERR_NGROK_360: {
    status: 400,
    message: 'Invalid basic auth credential: the password must be between 8 and 128 characters.',
  },
  ERR_NGROK_15011: {
    status: 400,
    message: 'Invalid basic auth credential: the username must not contain ":" (RFC 7617 §2), nor control characters.',
  },
  ERR_BASIC_AUTH_INVALID: {
    status: 400,
    message:
      'The basic auth option cannot be used: give at most 10 credentials, each "user:password" or with a cleartext password (hashed passwords are verified only as base64 SHA-256).',
  },
  ERR_HEADER_OPTION_INVALID: {
    status: 400,
    message:
      'A header to add must be written "name:value" with a valid header name, and a header to remove as its name.',
  },
  ERR_AGENT_OPTION_INVALID: {
    status: 400,
    message: 'An agent-side module option has a value this edge cannot use; the detail names the option.',
  },
} as const satisfies Record<string, ErrorEntry>;
