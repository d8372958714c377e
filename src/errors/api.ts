/** Codes of the API: requests it refuses, and the resources it keeps (ngrok's codes where ngrok has one). */
import type { ErrorEntry } from './entry.ts';

export const apiErrors = {
  // Requests the framework refuses before a route runs
  ERR_API_BAD_URL: {
    status: 400,
    message:
      'The request URL has a percent-encoded sequence that is not valid UTF-8. Encode each path segment with encodeURIComponent.',
  },
  ERR_API_URI_TOO_LONG: {
    status: 414,
    message:
      'A path segment of the request URL is longer than 100 characters; ids and names are shorter. Check the URL.',
  },
  ERR_API_HEADERS_TOO_LARGE: {
    status: 431,
    message: 'The request line and headers together exceed 16 KiB. Send fewer or smaller headers, or a shorter URL.',
  },
  ERR_API_MALFORMED_REQUEST: {
    status: 400,
    message: 'The request is not valid HTTP/1.1 (for example an unknown method or a broken header line).',
  },
  ERR_API_REQUEST_TIMEOUT: { status: 408, message: 'The request was not received in time.' },

  // Requests: authentication, version, body, paging
  ERR_NGROK_202: {
    status: 401,
    message: 'No API key was given. Send Authorization: Bearer <api key>; `portico account create` prints one.',
  },
  ERR_NGROK_203: {
    status: 401,
    message: 'The API key is not valid: it was deleted, or belongs to another edge. Use an API key of this edge.',
  },
  ERR_NGROK_213: { status: 400, message: 'The request body is not valid JSON.' },
  ERR_NGROK_215: {
    status: 400,
    message: 'A request field has a value that is not accepted; the message names the field and what it accepts.',
  },
  ERR_NGROK_217: {
    status: 400,
    message:
      'The Ngrok-Version header asks for an API version this edge does not serve. Send 2, or leave the header out.',
  },
  // Static backends: their address
  ERR_NGROK_6505: { status: 400, message: 'A static backend requires an address in the host:port form.' },
  ERR_NGROK_6506: {
    status: 400,
    message: 'The static backend address is invalid; the message says why. Use host:port as address.',
  },
  ERR_NGROK_6507: { status: 400, message: 'The static backend address is missing its host. Use host:port as address.' },
  ERR_NGROK_233: { status: 400, message: 'The page size (limit) must be an integer from 1 to 100.' },
  ERR_NGROK_250: {
    status: 400,
    message:
      'The list filter is not a valid CEL expression over obj (the object as the API reads it), or it names a field the object does not have.',
  },
  ERR_CLOUD_ENDPOINTS_UNSUPPORTED: {
    status: 400,
    message:
      'Cloud endpoints (made of a Traffic Policy) are not supported: /endpoints lists agent and edge endpoints. An agent endpoint changes from its agent, an edge endpoint through its edge.',
  },
  ERR_FILTER_TOO_COSTLY: {
    status: 400,
    message:
      'The list filter is too long (over 1024 characters), too large, nests one list macro inside another, or took too long to evaluate; simplify it.',
  },
  ERR_NGROK_420: { status: 400, message: 'The description is longer than 255 characters.' },
  ERR_NGROK_421: { status: 400, message: 'The metadata is longer than 4096 characters.' },
  ERR_NGROK_500: {
    status: 500,
    message:
      'The edge failed to handle the request; its log has the cause under the operation id. Retry, and report it if it keeps failing.',
  },
  ERR_NGROK_226: {
    status: 429,
    message:
      'This account is making more API requests than its limit allows; retry after the seconds in Retry-After, or ask the operator to raise --max-api-requests-per-minute.',
  },

  // Reserved domains and addresses (ngrok's codes): names, the operator's domain, other accounts' names
  ERR_NGROK_400: {
    status: 400,
    message:
      "The region is not one of ngrok's region codes (us, eu, ap, au, sa, jp, in), local, or the edge's own --region. Leave region out to use the edge's.",
  },
  ERR_NGROK_402: {
    status: 400,
    message: 'A wildcard is only allowed as the whole first label of a domain, as in *.example.com.',
  },
  ERR_NGROK_403: {
    status: 400,
    message: 'A wildcard domain needs a valid name with at least two labels after "*.", as in *.example.com.',
  },
  ERR_NGROK_404: {
    status: 400,
    message:
      "This is the edge's own domain (--domain), which belongs to the operator. Reserve a name under it instead.",
  },
  ERR_NGROK_406: { status: 400, message: 'The domain is empty. Give a name such as app.example.com or *.example.com.' },
  ERR_NGROK_407: { status: 400, message: 'The domain is longer than 253 characters.' },
  ERR_NGROK_408: { status: 400, message: 'A label of the domain is longer than 63 characters.' },
  ERR_NGROK_409: { status: 400, message: 'The domain needs at least two labels, as in app.example.com.' },
  ERR_NGROK_410: {
    status: 400,
    message:
      'A domain may contain only letters, digits, hyphens and dots; write international names in their xn-- form.',
  },
  ERR_NGROK_411: {
    status: 400,
    message:
      'The domain is not a valid host name: labels are 1–63 characters, start and end with a letter or digit, and the last is not all digits.',
  },
  ERR_NGROK_413: { status: 400, message: 'This domain is already reserved by your account.' },
  ERR_NGROK_414: { status: 400, message: 'This domain is already reserved or in use by another account.' },
  ERR_NGROK_416: {
    status: 400,
    message:
      "A wildcard may not cover the edge's own domain (--domain). Reserve a name or a wildcard under it instead.",
  },
  ERR_NGROK_417: { status: 400, message: 'This wildcard would cover a name another account reserved or uses.' },
  ERR_NGROK_434: {
    status: 400,
    message:
      'certificate_id and certificate_management_policy are exclusive: upload a certificate or let the edge manage one, not both.',
  },
  ERR_NGROK_435: {
    status: 400,
    message:
      'The certificate management policy names an authority this edge does not use; the only authority is "letsencrypt".',
  },
  ERR_NGROK_436: {
    status: 400,
    message:
      'The certificate of this domain is managed by its certificate_management_policy; delete the policy instead of the certificate.',
  },
  ERR_NGROK_446: { status: 400, message: 'This domain is still used by an edge; remove it from those edges first.' },
  ERR_CERTIFICATE_NOT_FOUND: {
    status: 400,
    ngrok: 'ERR_NGROK_1965',
    message:
      'The TLS certificate this refers to does not exist in your account. Upload it under /tls_certificates first.',
  },

  // Account limits (ngrok's codes); the operator sets limits with `portico account limits`
  ERR_NGROK_415: {
    status: 400,
    message:
      'This account holds as many reserved domains as its limit allows. Delete one, or ask the operator to raise --max-reserved-domains.',
  },
  ERR_NGROK_508: {
    status: 400,
    message:
      'This account holds as many reserved addresses as its limit allows. Delete one, or ask the operator to raise --max-reserved-addrs.',
  },

  // Edges, routes and their modules
  ERR_NGROK_219: {
    status: 400,
    message:
      'This is not a TLS version the edge accepts; use 1.0, 1.1, 1.2 or 1.3 (and none when TLS terminates upstream).',
  },
  ERR_NGROK_224: {
    status: 400,
    message: 'terminate_at must be "edge" or "upstream" (HTTPS edges always terminate at the edge).',
  },
  ERR_NGROK_7027: { status: 400, message: "Webhook verification needs the provider's signing secret." },
  ERR_NGROK_7030: { status: 400, message: 'This webhook provider is not supported; the message lists those that are.' },
  ERR_ROUTE_MATCH_HOST_NOT_SERVED: {
    status: 400,
    message:
      "The route's match names a host this edge does not serve, so it could never be chosen. Add the host to the edge's hostports, or match a path only.",
  },
  ERR_ROUTE_MATCH_TAKEN: {
    status: 400,
    ngrok: 'ERR_NGROK_7126',
    message: 'Another route of this edge already has this match; update that route instead.',
  },

  // IP policies
  ERR_NGROK_1402: {
    status: 400,
    message: 'The IP policy this rule belongs to does not exist in your account. Create it under /ip_policies first.',
  },
  ERR_NGROK_1410: { status: 400, message: 'The CIDR is not valid; write it as 10.0.0.0/8 or 2001:db8::/32.' },

  // IP restrictions of an account (/ip_restrictions)
  ERR_NGROK_1212: {
    status: 403,
    message:
      "Your IP address is not allowed by this account's API IP restriction. Call the API from an allowed address, or have the account's IP policies changed from one.",
  },
  ERR_NGROK_1803: {
    status: 400,
    message: 'The IP restriction type is not valid. Valid types: agent, api, endpoints (Portico has no dashboard).',
  },
  ERR_IP_RESTRICTION_LOCKOUT: {
    status: 400,
    message:
      "This change would refuse the address you are calling from at the API, so no later call from it could undo it. Allow your address in the restriction's IP policies first, or make the restriction with enforced: false and watch the edge's log.",
  },

  // Event subscriptions and destinations
  ERR_NGROK_235: { status: 400, message: 'The event destination format is not supported; the only format is "json".' },
  ERR_NGROK_236: {
    status: 400,
    message: 'The event destination target is invalid: set exactly one supported target, with its required fields.',
  },
  ERR_NGROK_240: {
    status: 400,
    message:
      'The event destination auth is invalid: set exactly one of role {role_arn} or creds {aws_access_key_id, aws_secret_access_key}.',
  },
  ERR_EVENT_SOURCE_TYPE: {
    status: 400,
    ngrok: 'ERR_NGROK_238',
    message:
      'This is not an event type; use <thing>_<created|updated|deleted>.v0, http_request_complete.v0 or tcp_connection_closed.v0.',
  },
  ERR_EVENT_SOURCE_EXISTS: {
    status: 400,
    ngrok: 'ERR_NGROK_5127',
    message: 'This event type is already a source of the subscription; each type may be a source once.',
  },
  ERR_EVENT_SOURCE_FIELDS: {
    status: 400,
    ngrok: 'ERR_NGROK_5401',
    message:
      'These event source fields cannot be selected: only traffic events (http_request_complete.v0, tcp_connection_closed.v0) take fields, and only the field names of that event type.',
  },
  ERR_EVENT_DESTINATION_NOT_FOUND: {
    status: 400,
    ngrok: 'ERR_NGROK_5103',
    message:
      'The event destination this refers to does not exist in your account. Create it under /event_destinations first.',
  },

  // Deleting what is still used
  ERR_RESOURCE_IN_USE: {
    status: 400,
    ngrok: 'ERR_NGROK_27615',
    message: 'This is still used by other resources; remove those references first.',
  },
  ERR_BACKEND_IN_USE: {
    status: 400,
    ngrok: 'ERR_NGROK_6502',
    message: 'This backend is still used by other backends, edges or routes; remove those references first.',
  },
  ERR_IP_POLICY_IN_USE: {
    status: 400,
    ngrok: 'ERR_NGROK_1420',
    message: 'This IP policy is still used by IP restrictions; detach it from them first.',
  },
} as const satisfies Record<string, ErrorEntry>;
