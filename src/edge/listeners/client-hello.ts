/**
 * Reads the server name (SNI) and the offered ALPN protocols from a TLS ClientHello without
 * terminating TLS, so the public port can pass a TLS endpoint's connection through untouched,
 * answer an ACME TLS-ALPN-01 validation, or terminate it for HTTPS.
 */

/** Largest ClientHello we wait for before giving up on finding a server name, in bytes. */
export const maxClientHelloBytes = 16 * 1024;

export type ClientHelloResult =
  | { state: 'need-more' }
  | { state: 'not-tls' }
  | { state: 'done'; serverName: string | undefined; alpnProtocols: string[] };

/**
 * Parses the buffered start of a connection. Handles a ClientHello split over several TLS
 * records. Returns `need-more` until the whole handshake message is present.
 */
export function parseClientHello(buf: Buffer): ClientHelloResult {
  if (buf.length < 1) return { state: 'need-more' };
  if (buf[0] !== 0x16) return { state: 'not-tls' };
  const handshake = joinRecords(buf);
  if (handshake === 'not-tls') return { state: 'not-tls' };
  if (handshake.length < 4) return { state: 'need-more' };
  if (handshake[0] !== 0x01) return { state: 'not-tls' };
  const length = handshake.readUIntBE(1, 3);
  if (length + 4 > maxClientHelloBytes) return { state: 'done', serverName: undefined, alpnProtocols: [] };
  if (handshake.length < 4 + length) return { state: 'need-more' };
  return { state: 'done', ...readExtensions(handshake.subarray(4, 4 + length)) };
}

/** Concatenates the payloads of the complete handshake records at the start of `buf`. */
function joinRecords(buf: Buffer): Buffer | 'not-tls' {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 5 <= buf.length) {
    if (buf[offset] !== 0x16) return parts.length ? Buffer.concat(parts) : 'not-tls';
    const len = buf.readUInt16BE(offset + 3);
    if (offset + 5 + len > buf.length) break;
    parts.push(buf.subarray(offset + 5, offset + 5 + len));
    offset += 5 + len;
  }
  return Buffer.concat(parts);
}

/** The server name (SNI, extension 0) and the offered ALPN protocols (extension 16). */
function readExtensions(hello: Buffer): { serverName: string | undefined; alpnProtocols: string[] } {
  const found: { serverName: string | undefined; alpnProtocols: string[] } = {
    serverName: undefined,
    alpnProtocols: [],
  };
  try {
    let p = 2 + 32; // client_version, random
    p += 1 + hello[p]!; // session_id
    p += 2 + hello.readUInt16BE(p); // cipher_suites
    p += 1 + hello[p]!; // compression_methods
    if (p + 2 > hello.length) return found;
    const end = p + 2 + hello.readUInt16BE(p);
    p += 2;
    while (p + 4 <= end) {
      const type = hello.readUInt16BE(p);
      const len = hello.readUInt16BE(p + 2);
      if (type === 0) found.serverName = readHostName(hello.subarray(p + 4, p + 4 + len));
      if (type === 16) found.alpnProtocols = readAlpn(hello.subarray(p + 4, p + 4 + len));
      p += 4 + len;
    }
  } catch {
    // A truncated or inconsistent hello simply has no usable server name.
  }
  return found;
}

/** ProtocolNameList (RFC 7301): a 2-byte length, then 1-byte-length-prefixed names. */
function readAlpn(ext: Buffer): string[] {
  const names: string[] = [];
  let p = 2;
  while (p < ext.length) {
    const len = ext[p]!;
    if (len === 0 || p + 1 + len > ext.length) break;
    names.push(ext.subarray(p + 1, p + 1 + len).toString('latin1'));
    p += 1 + len;
  }
  return names;
}

function readHostName(ext: Buffer): string | undefined {
  let p = 2; // server_name_list length
  while (p + 3 <= ext.length) {
    const nameType = ext[p]!;
    const len = ext.readUInt16BE(p + 1);
    if (nameType === 0)
      return ext
        .subarray(p + 3, p + 3 + len)
        .toString('ascii')
        .toLowerCase();
    p += 3 + len;
  }
  return undefined;
}
