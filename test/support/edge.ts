import { defer } from './defer.ts';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { forward, type ForwardOptions, type Forwarding } from '../../src/agent/forward.ts';
import { parseListenAddr, type EdgeConfig } from '../../src/edge/config.ts';
import { startEdge, type Edge } from '../../src/server/edge.ts';
import { createLogger, silentLogger } from '../../src/log/logger.ts';
import { createTestDatabase, edgesUsePostgres } from './store.ts';

export interface TestEdge extends Edge {
  dataDir: string;
  caPem: string;
  /** "127.0.0.1:<agent port>", for agents. */
  serverAddr: string;
  /** The store's PostgreSQL URL on a PostgreSQL run; undefined for SQLite in `dataDir`. */
  databaseUrl: string | undefined;
}

/** Fresh data dir under the OS temp dir, removed after the test. */
export async function tempDir(t: TestContext, prefix = 'portico-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  defer(t, () => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** The PostgreSQL database of each data dir, so an edge restarted on a data dir finds its data. */
const databases = new Map<string, string>();

/** The database URL for an edge on `dataDir`: a fresh PostgreSQL database per data dir on a PostgreSQL run, else none (SQLite in the data dir). */
async function databaseFor(t: TestContext, dataDir: string): Promise<string | undefined> {
  if (!edgesUsePostgres()) return undefined;
  let url = databases.get(dataDir);
  if (!url) {
    url = await createTestDatabase(t);
    databases.set(dataDir, url);
  }
  return url;
}

/**
 * Starts a real edge on 127.0.0.1 with every port 0 (unless `ports` pins them, as a restart
 * test does) and closes it after the test. PORTICO_TEST_LOG=1 shows its log. With
 * PORTICO_TEST_STORE=postgres the edge's store is a fresh database on PORTICO_TEST_DATABASE_URL
 * (the same one again when an edge restarts on the same data dir), else SQLite in the data dir.
 */
export async function startTestEdge(
  t: TestContext,
  options: {
    dataDir?: string;
    ports?: Partial<Record<'agent' | 'https' | 'http' | 'api', number>>;
    config?: Partial<EdgeConfig>;
  } = {},
): Promise<TestEdge> {
  const dataDir = options.dataDir ?? (await tempDir(t));
  const port = (name: 'agent' | 'https' | 'http' | 'api') => parseListenAddr(`127.0.0.1:${options.ports?.[name] ?? 0}`);
  const databaseUrl = options.config?.databaseUrl ?? (await databaseFor(t, dataDir));
  const edge = await startEdge({
    dataDir,
    agentAddr: port('agent'),
    httpsAddr: port('https'),
    httpAddr: port('http'),
    apiAddr: port('api'),
    tcpPorts: { min: 0, max: 0 },
    domain: 'localhost',
    region: 'local',
    logger: process.env.PORTICO_TEST_LOG ? createLogger({ level: 'debug' }) : silentLogger,
    ...options.config,
    databaseUrl,
  });
  defer(t, () => edge.close());
  const caPem = await readFile(edge.bootstrap.ca_cert, 'utf8');
  return Object.assign(edge, { dataDir, caPem, serverAddr: `127.0.0.1:${edge.ports.agent}`, databaseUrl });
}

/**
 * Our agent's forward() to `edge`: its agent address and CA, the account's authtoken (each
 * overridable in `options`). Closed after the test.
 */
export async function forwardTo(t: TestContext, edge: TestEdge, options: ForwardOptions): Promise<Forwarding> {
  const forwarding = await forward({
    serverAddr: edge.serverAddr,
    caCert: edge.caPem,
    authtoken: edge.credentials.authtoken,
    ...options,
  });
  defer(t, () => forwarding.close());
  return forwarding;
}
