/** Codes of public traffic: the error pages the edge (or the agent, for its local service) answers. */
import type { ErrorEntry } from './entry.ts';

export const trafficErrors = {
  ERR_EDGE_TUNNEL_NOT_FOUND: {
    status: 404,
    ngrok: 'ERR_NGROK_3200',
    message: 'No tunnel is online for this host. Start an agent for it, e.g. `portico http 3000`.',
  },
  ERR_EDGE_NO_SNI: {
    status: 421,
    ngrok: 'ERR_NGROK_3003',
    message: 'The client sent no server name (SNI), so the edge cannot tell which endpoint it wants.',
  },
  ERR_EDGE_TLS_MISDIRECTED: {
    status: 421,
    message:
      'This connection was set up for another name (SNI), whose TLS settings differ from those of the requested host. Connect again with the host as the server name.',
  },
  ERR_EDGE_AGENT_GONE: {
    status: 502,
    ngrok: 'ERR_NGROK_3210',
    message: 'The agent serving this host went away while the request was in flight.',
  },
  ERR_EDGE_AGENT_BUSY: {
    status: 503,
    message: 'The agent serving this host has too many connections open; try again shortly.',
  },
  ERR_EDGE_UPSTREAM_REFUSED: {
    status: 502,
    ngrok: 'ERR_NGROK_8012',
    message:
      'The service behind this endpoint could not be reached (by the agent, or by the edge for a static backend): connection refused, timed out, or its TLS certificate not trusted. Is it running?',
  },
  ERR_EDGE_NO_BACKEND: {
    status: 503,
    ngrok: 'ERR_NGROK_724',
    message: 'No backend of this edge could serve the request: no tunnel matching its labels is online.',
  },
  ERR_EDGE_ROUTE_NOT_FOUND: { status: 404, message: 'No route of this edge matches the request path.' },
  ERR_EDGE_BAD_REQUEST: { status: 400, message: 'The request is malformed.' },
  ERR_EDGE_INTERNAL: {
    status: 500,
    message: 'The edge failed to handle this request. The failure is in its log under this request id.',
  },
  ERR_EDGE_REQUEST_TIMEOUT: {
    status: 408,
    message: 'The request did not arrive in time (the edge --read-header-timeout or --request-timeout).',
  },
  ERR_EDGE_IP_RESTRICTED: {
    status: 403,
    ngrok: 'ERR_NGROK_3205',
    message: "The client's IP address is not allowed by an IP restriction of this endpoint or of its account.",
  },
  ERR_NGROK_3603: {
    status: 508,
    message:
      "The request came back to the edge it already passed through: the agent forwards to the edge itself. Point the agent at your service, not at the edge's public port.",
  },
  ERR_EDGE_STATIC_BACKEND_LOOP: {
    status: 508,
    message:
      "A static backend's address is one of this edge's own listeners, so the edge would forward to itself. Point the static backend at your service.",
  },
  ERR_NGROK_3008: {
    status: 504,
    message:
      'The service behind the tunnel did not answer in time: no response headers arrived within the edge --upstream-header-timeout.',
  },
  // Webhook verification
  ERR_EDGE_WEBHOOK_UNVERIFIED: {
    status: 403,
    ngrok: 'ERR_NGROK_3204',
    message:
      "Request failed webhook verification: it does not carry a valid signature of this endpoint's webhook provider.",
  },
  ERR_EDGE_WEBHOOK_BODY_TOO_LARGE: {
    status: 413,
    message:
      'The request body is larger than the edge reads to check a webhook signature (1 MiB by default); webhook providers send less.',
  },
  // Circuit breaker, user-agent filter, WebSocket-to-TCP
  ERR_EDGE_CIRCUIT_OPEN: {
    status: 503,
    ngrok: 'ERR_NGROK_3202',
    message:
      "This route's circuit breaker is open: too many recent requests failed with a 5xx response. Requests are refused for its tripped duration, then tried again.",
  },
  ERR_EDGE_USER_AGENT_DENIED: {
    status: 403,
    ngrok: 'ERR_NGROK_3211',
    message: "The client's User-Agent is not allowed by this route's user-agent filter.",
  },
  ERR_EDGE_WEBSOCKET_REQUIRED: {
    status: 400,
    ngrok: 'ERR_NGROK_3206',
    message:
      'This route converts WebSocket connections to TCP: send a WebSocket upgrade request (Connection: upgrade, Upgrade: websocket).',
  },

  // Agent endpoint options
  ERR_EDGE_BASIC_AUTH_REQUIRED: {
    status: 401,
    message: 'This endpoint is protected by basic auth: send the username and password it was started with.',
  },

  // Identity
  ERR_EDGE_IDENTITY_DENIED: {
    status: 403,
    message:
      'You logged in, but this endpoint does not let your account in: its owner allows only some email addresses, domains, organizations or teams. Ask the owner for access, or log in as another user at /oauth2/authorize.',
  },
  ERR_EDGE_IDENTITY_STATE_INVALID: {
    status: 400,
    message:
      'This login cannot be completed: it was started more than 30 minutes ago, in another browser, or its cookies were blocked. Open the page you wanted again to log in anew.',
  },
  ERR_EDGE_IDENTITY_PROVIDER_ERROR: {
    status: 403,
    message:
      'The identity provider did not log you in (it answered with an error or refused the login). Open the page again to retry; if it persists, ask the endpoint owner to check the provider application.',
  },
  ERR_EDGE_OIDC_DISCOVERY_FAILED: {
    status: 502,
    message:
      "The edge could not read this endpoint's OpenID provider configuration (issuer discovery failed or the issuer is not https). It tries again shortly; the endpoint owner should check the issuer URL.",
  },

  // SAML
  ERR_EDGE_SAML_RESPONSE_INVALID: {
    status: 403,
    message:
      "The identity provider's SAML response could not be accepted (bad or missing signature, wrong audience or issuer, expired, or not an answer to this browser's login). Open the page you wanted again to log in anew; if it persists, ask the endpoint owner to check the IdP metadata.",
  },
  ERR_EDGE_SAML_LOGOUT_INVALID: {
    status: 403,
    message:
      "The identity provider's SAML logout request could not be accepted (bad or missing signature, wrong issuer or expired). You are signed out of this endpoint all the same; the identity provider was not answered.",
  },
  ERR_EDGE_SAML_LOGOUT_RESPONSE_INVALID: {
    status: 403,
    message:
      "The identity provider's answer to this endpoint's SAML logout could not be accepted (bad or missing signature, wrong issuer, or a status other than Success). You are signed out of this endpoint, but maybe not at the identity provider: sign out there too.",
  },
  ERR_EDGE_SAML_REPLAYED: {
    status: 403,
    message:
      'This SAML assertion was already used to log in; each can be used once. Open the page you wanted again to log in anew.',
  },
  ERR_EDGE_SAML_IDP_INITIATED_REFUSED: {
    status: 403,
    message:
      'This endpoint accepts only logins it started itself (IdP-initiated login is not allowed). Open the page you wanted directly to log in.',
  },
  ERR_EDGE_SAML_GROUPS_DENIED: {
    status: 403,
    message:
      'You logged in, but this endpoint lets in only members of some groups, and the identity provider named none of them for you. Ask the owner for access.',
  },
} as const satisfies Record<string, ErrorEntry>;
