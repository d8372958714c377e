/**
 * HTTP load: 50 keep-alive connections for a fixed time, with wrk when it is installed and a
 * built-in Node.js generator otherwise. Also a one-request probe that checks a target answers.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import https from 'node:https';
import http from 'node:http';
import { nodeLoad } from './node-load.ts';

/** Where requests go: always 127.0.0.1:<port>; `tls` for the edge's HTTPS port. */
export interface HttpTarget {
  port: number;
  /** The Host header: the edge routes HTTPS by Host after terminating TLS. */
  hostHeader: string;
  /** Server name and CA the built-in generator and the probe verify the edge against. */
  tls?: { servername: string; ca: string };
}

export interface LoadResult {
  tool: LoadTool;
  requests: number;
  seconds: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Connect, read, write and timeout errors. */
  errors: number;
  non2xx: number;
}

export type LoadTool = 'wrk' | 'node';

export interface LoadOptions {
  tool: LoadTool;
  connections: number;
  seconds: number;
  /** wrk threads. */
  threads: number;
  /** Processes to kill if the bench is aborted. */
  running: Set<ChildProcess>;
}

/** `BENCH_LOADGEN=wrk|node`, or (empty, `auto`) wrk when it is on the PATH. */
export function chooseTool(requested: string): LoadTool {
  if (!['', 'auto', 'wrk', 'node'].includes(requested))
    throw new Error(`BENCH_LOADGEN: "${requested}" is not wrk, node or auto`);
  if (requested === 'node') return 'node';
  const found = !spawnSync('wrk', ['-v']).error;
  if (requested === 'wrk' && !found)
    throw new Error('BENCH_LOADGEN=wrk but wrk is not installed (apt-get install -y wrk)');
  return found ? 'wrk' : 'node';
}

export function runLoad(target: HttpTarget, options: LoadOptions): Promise<LoadResult> {
  return options.tool === 'wrk' ? wrkLoad(target, options) : nodeLoad(target, options.connections, options.seconds);
}

const reportScript = new URL('./wrk-report.lua', import.meta.url).pathname;

function wrkLoad(target: HttpTarget, options: LoadOptions): Promise<LoadResult> {
  // wrk does not verify certificates and sends SNI 127.0.0.1; the edge then serves its default
  // certificate and routes by the Host header, which is what matters here.
  const url = `${target.tls ? 'https' : 'http'}://127.0.0.1:${target.port}/`;
  const threads = String(Math.min(options.threads, options.connections));
  const args = [
    '-t',
    threads,
    '-c',
    String(options.connections),
    '-d',
    `${options.seconds}s`,
    '-s',
    reportScript,
    '-H',
    `Host: ${target.hostHeader}`,
    url,
  ];
  const wrk = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'inherit'] });
  options.running.add(wrk);
  let out = '';
  wrk.stdout.on('data', (c: Buffer) => (out += c.toString()));
  const killer = setTimeout(() => wrk.kill('SIGKILL'), (options.seconds + 30) * 1000);
  return new Promise((resolve, reject) => {
    wrk.once('error', reject);
    wrk.once('exit', (code) => {
      clearTimeout(killer);
      options.running.delete(wrk);
      const line = out.split('\n').find((l) => l.startsWith('BENCH_JSON '));
      if (code !== 0 || !line) return reject(new Error(`wrk exited with ${code}:\n${out}`));
      const r = JSON.parse(line.slice('BENCH_JSON '.length)) as {
        requests: number;
        duration_us: number;
        p50_us: number;
        p99_us: number;
        errors: number;
        non2xx: number;
      };
      const seconds = r.duration_us / 1e6;
      resolve({
        tool: 'wrk',
        requests: r.requests,
        seconds,
        rps: r.requests / seconds,
        p50Ms: r.p50_us / 1000,
        p99Ms: r.p99_us / 1000,
        errors: r.errors,
        non2xx: r.non2xx,
      });
    });
  });
}

/** One GET, verifying the certificate for HTTPS targets; resolves with status and body. */
export function probe(target: HttpTarget): Promise<{ status: number; body: Buffer }> {
  const options = {
    host: '127.0.0.1',
    port: target.port,
    path: '/',
    headers: { host: target.hostHeader },
    agent: false as const,
  };
  return new Promise((resolve, reject) => {
    const onResponse = (res: http.IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    };
    const req = target.tls
      ? https.get({ ...options, servername: target.tls.servername, ca: target.tls.ca }, onResponse)
      : http.get(options, onResponse);
    req.setTimeout(10_000, () => req.destroy(new Error('probe timed out')));
    req.on('error', reject);
  });
}
