/**
 * `portico edge` as its own process, for what an in-process edge cannot show: its memory,
 * signals (SIGTERM drains, SIGKILL), and a restart on the same data directory and ports.
 */
import type { ChildProcess } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { Bootstrap } from '../../src/bootstrap/paths.ts';
import { spawnPortico } from './cli.ts';
import { eventually } from './services.ts';

export interface EdgeProcess {
  child: ChildProcess;
  bootstrap: Bootstrap;
  ports: { agent: number; https: number; http: number; api: number };
  caPem: string;
  /** Resident memory of the edge process now, in bytes. */
  rss(): Promise<number>;
  /** Resolves with the exit code once the process ended. */
  exited: Promise<number | null>;
  /** What the process printed on stdout and stderr so far. */
  output(): string;
}

/**
 * Starts `portico edge` on `dataDir` with every listener on 127.0.0.1 (`ports` fixes them,
 * default any free port) and `flags` added; resolves once bootstrap.json is written anew.
 */
export async function spawnEdge(
  t: TestContext,
  dataDir: string,
  options: { ports?: number[]; flags?: string[] } = {},
): Promise<EdgeProcess> {
  const [agent = 0, https = 0, http = 0, api = 0] = options.ports ?? [];
  await rm(join(dataDir, 'bootstrap.json'), { force: true });
  const args = [
    'edge',
    '--data-dir',
    dataDir,
    '--agent-addr',
    `127.0.0.1:${agent}`,
    '--https-addr',
    `127.0.0.1:${https}`,
    '--http-addr',
    `127.0.0.1:${http}`,
    '--api-addr',
    `127.0.0.1:${api}`,
    '--tcp-ports',
    '0',
    ...(options.flags ?? []),
  ];
  const child = spawnPortico(t, args);
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const bootstrap = await eventually(
    async () => {
      if (child.exitCode !== null) throw new Error(`portico edge exited: ${output}`);
      return JSON.parse(await readFile(join(dataDir, 'bootstrap.json'), 'utf8')) as Bootstrap;
    },
    30_000,
    'bootstrap.json',
  );
  const port = (addr: string) => Number(addr.slice(addr.lastIndexOf(':') + 1));
  return {
    child,
    bootstrap,
    ports: {
      agent: port(bootstrap.agent_addr),
      https: port(bootstrap.https_addr),
      http: port(bootstrap.http_addr),
      api: port(new URL(bootstrap.api_url).host),
    },
    caPem: await readFile(bootstrap.ca_cert, 'utf8'),
    rss: async () => Number(/VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${child.pid}/status`, 'utf8'))![1]) * 1024,
    exited,
    output: () => output,
  };
}
