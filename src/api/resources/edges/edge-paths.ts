/** Where each edge kind lives in the API. */
export const httpsEdgePath = '/edges/https';
export const tlsEdgePath = '/edges/tls';
export const tcpEdgePath = '/edges/tcp';
