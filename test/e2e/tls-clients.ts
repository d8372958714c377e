/**
 * Real TLS clients for the tls-*.test.ts files: Node's tls, the `openssl s_client` CLI and the
 * `curl` CLI, each pointed at 127.0.0.1 with a chosen server name.
 */
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import tls from 'node:tls';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** What a handshake ended with: the served leaf and the protocol, or the error code. */
export type Handshake =
  { ok: true; subject: string; fingerprint: string; protocol: string } | { ok: false; error: string };

/** Node `tls.connect` to 127.0.0.1:`port` sending `servername` (none when undefined). Resolves after the first reply byte or close. */
export function nodeHandshake(
  port: number,
  servername: string | undefined,
  options: tls.ConnectionOptions = {},
): Promise<Handshake & { data?: string }> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername, rejectUnauthorized: false, ...options });
    let result: Handshake | undefined;
    socket.setTimeout(5000, () => socket.destroy(new Error('ETIMEDOUT')));
    socket.on('secureConnect', () => {
      const cert = socket.getPeerX509Certificate();
      result = {
        ok: true,
        subject: cert?.subject ?? '',
        fingerprint: cert?.fingerprint256 ?? '',
        protocol: socket.getProtocol() ?? '',
      };
      if (options.ca && !socket.authorized) result = { ok: false, error: String(socket.authorizationError) };
      socket.end();
    });
    socket.on('data', () => undefined);
    socket.on('error', (err: NodeJS.ErrnoException) => {
      result ??= { ok: false, error: err.code ?? err.message };
      if (result.ok) result = { ok: false, error: err.code ?? err.message };
    });
    socket.on('close', () => resolve(result ?? { ok: false, error: 'closed' }));
  });
}

/** The certificate `openssl s_client` was served for `servername`, or the failure; `extra` adds flags such as -tls1_1. */
export async function opensslHandshake(port: number, servername: string, extra: string[] = []): Promise<Handshake> {
  const args = ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', servername, ...extra];
  const child = execFile('openssl', args, { timeout: 10_000 }, () => undefined);
  child.stdin?.end();
  const out = await new Promise<string>((resolve) => {
    let text = '';
    child.stdout?.on('data', (d: Buffer) => (text += d.toString()));
    child.on('close', () => resolve(text));
  });
  const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(out)?.[0];
  const protocol = /Protocol\s*:\s*(\S+)/.exec(out)?.[1] ?? /New, (TLSv[\d.]+)/.exec(out)?.[1] ?? '';
  if (!pem) return { ok: false, error: out.split('\n').slice(0, 3).join(' ') || 'no certificate' };
  const cert = new X509Certificate(pem);
  return { ok: true, subject: cert.subject, fingerprint: cert.fingerprint256, protocol };
}

/** `curl --resolve name:port:127.0.0.1 --cacert <ca>`: the status and body, or curl's exit code. */
export async function curl(
  dir: string,
  port: number,
  name: string,
  caPem: string,
  extra: string[] = [],
): Promise<{ status: number; body: string } | { exit: number; stderr: string }> {
  const caFile = join(dir, `ca-${Date.now()}-${Math.random().toString(36).slice(2)}.pem`);
  await writeFile(caFile, caPem);
  try {
    const { stdout } = await run('curl', [
      '-sS',
      '--max-time',
      '10',
      '--resolve',
      `${name}:${port}:127.0.0.1`,
      '--cacert',
      caFile,
      '-w',
      '\n%{http_code}',
      ...extra,
      `https://${name}:${port}/`,
    ]);
    const lines = stdout.split('\n');
    return { status: Number(lines.pop()), body: lines.join('\n') };
  } catch (err) {
    const e = err as { code?: number; stderr?: string };
    return { exit: e.code ?? -1, stderr: e.stderr ?? '' };
  }
}

/** The CN of an X509Certificate subject as Node prints it. */
export function commonNameOf(subject: string): string | undefined {
  return /(?:^|\n)CN=([^\n]*)/.exec(subject)?.[1];
}
