/**
 * The fields of traffic events, by event type: what an event source's `fields` may select,
 * and what the edge fills in. Names follow ngrok's event reference (dotted paths such as
 * `conn.client_ip`, `http.request.method`, `edge.route.id`); a selected field `a.b.c` is sent
 * nested as `{"a": {"b": {"c": …}}}` under the event's `object`. Fields marked Portico are
 * ours, where ngrok documents none for the same fact (docs/events.md).
 */

/** Fields of `http_request_complete.v0`. */
export const httpRequestCompleteFields = [
  'backend.id',
  'conn.client_ip',
  'conn.client_port',
  'conn.server_name',
  'conn.server_port',
  'conn.start_ts',
  'edge.id',
  'edge.route.id',
  'endpoint.id',
  'http.request.body_length',
  'http.request.headers',
  'http.request.method',
  'http.request.url.path',
  'http.request.url.query',
  'http.request.url.raw',
  'http.request.user_agent',
  'http.response.body_length',
  'http.response.headers',
  'http.response.status_code',
  // Portico: milliseconds from the request's arrival until its response was sent.
  'http.duration_ms',
  'tunnel.id',
  'tunnel.session.id',
] as const;

/** Fields of `tcp_connection_closed.v0`. */
export const tcpConnectionClosedFields = [
  'backend.id',
  'conn.bytes_in',
  'conn.bytes_out',
  'conn.client_ip',
  'conn.client_port',
  'conn.end_ts',
  'conn.server_port',
  'conn.start_ts',
  // Portico: milliseconds the connection was open.
  'conn.duration_ms',
  'edge.id',
  'endpoint.id',
  'tunnel.id',
  'tunnel.session.id',
] as const;

export type HttpRequestCompleteField = (typeof httpRequestCompleteFields)[number];
export type TcpConnectionClosedField = (typeof tcpConnectionClosedFields)[number];

/** Traffic event types and the fields each offers. */
export const trafficEventFields: Readonly<Record<string, readonly string[]>> = {
  'http_request_complete.v0': httpRequestCompleteFields,
  'tcp_connection_closed.v0': tcpConnectionClosedFields,
};

/** At most this many fields per event source. */
export const maxSourceFields = 64;

/** The traffic event types, sent by the data plane. */
export const trafficEventTypes = ['http_request_complete.v0', 'tcp_connection_closed.v0'] as const;
