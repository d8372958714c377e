import { randomBytes } from 'node:crypto';
import http from 'node:http';

/**
 * The REST API listener. Until the control-plane resources land it answers `/health` and an
 * ngrok-shaped 404 for every other path, so clients get JSON they can parse.
 */
export function createApiServer(): http.Server {
  return http.createServer((req, res) => {
    const ok = req.url === '/health';
    const body = ok
      ? { status: 'ok' }
      : { status_code: 404, msg: 'Resource not found', details: { operation_id: `op_${randomBytes(10).toString('hex')}` } };
    const text = JSON.stringify(body);
    res.writeHead(ok ? 200 : 404, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  });
}
