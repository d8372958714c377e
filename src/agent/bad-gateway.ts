import { errorCatalogue, ErrorCode } from '../errors/catalogue.ts';

/** The HTTP/1.1 502 response written into a proxy stream when the local service cannot be dialled. */
export function badGatewayResponse(addr: string, err: Error): Buffer {
  const code = ErrorCode.ERR_EDGE_UPSTREAM_REFUSED;
  const { message, ngrok } = errorCatalogue[code];
  const body = Buffer.from(
    `502 Bad Gateway: ${code} (${ngrok})\n${message}\nThe agent failed to dial ${addr}: ${err.message}\n`,
  );
  const head =
    'HTTP/1.1 502 Bad Gateway\r\n' +
    'Content-Type: text/plain; charset=utf-8\r\n' +
    `Content-Length: ${body.length}\r\n` +
    `Portico-Error-Code: ${code}\r\n` +
    `Ngrok-Error-Code: ${ngrok}\r\n` +
    'Connection: close\r\n\r\n';
  return Buffer.concat([Buffer.from(head), body]);
}
