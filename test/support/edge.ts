import { defer } from './defer.ts';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { parseListenAddr, type EdgeConfig } from '../../src/edge/config.ts';
import { startEdge, type Edge } from '../../src/edge/edge.ts';
import { createLogger, silentLogger } from '../../src/log/logger.ts';

export interface TestEdge extends Edge {
  dataDir: string;
  caPem: string;
  /** "127.0.0.1:<agent port>", for agents. */
  serverAddr: string;
}

/** Fresh data dir under the OS temp dir, removed after the test. */
export async function tempDir(t: TestContext, prefix = 'portico-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  defer(t, () => rm(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Starts a real edge on 127.0.0.1 with every port 0 (unless `ports` pins them, as a restart
 * test does) and closes it after the test. PORTICO_TEST_LOG=1 shows its log.
 */
export async function startTestEdge(
  t: TestContext,
  options: { dataDir?: string; ports?: Partial<Record<'agent' | 'https' | 'http' | 'api', number>>; config?: Partial<EdgeConfig> } = {},
): Promise<TestEdge> {
  const dataDir = options.dataDir ?? (await tempDir(t));
  const port = (name: 'agent' | 'https' | 'http' | 'api') => parseListenAddr(`127.0.0.1:${options.ports?.[name] ?? 0}`);
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
  });
  defer(t, () => edge.close());
  const caPem = await readFile(edge.bootstrap.ca_cert, 'utf8');
  return Object.assign(edge, { dataDir, caPem, serverAddr: `127.0.0.1:${edge.ports.agent}` });
}
