import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ResourceRecord } from '../../store/resources.ts';
import { compileSnapshot, type SnapshotDeps } from './compile.ts';
import { Snapshot } from './snapshot.ts';

// Compilation only wires objects together; nothing here opens a tunnel.
const deps = {} as SnapshotDeps;
const record = (id: string, kind: string, doc: Record<string, unknown>): ResourceRecord => ({
  id,
  account_id: 'acct_1',
  kind,
  key: null,
  created_at: '',
  doc,
});

test('edges and backends compile into host, path and port tables', () => {
  const snapshot = compileSnapshot(
    [
      record('bkdhr_1', 'http_response_backend', { status_code: 200, body: 'hi', headers: {} }),
      record('bkdtg_1', 'tunnel_group_backend', { labels: { app: 'x' } }),
      record('bkdfo_1', 'failover_backend', { backends: ['bkdtg_1', 'bkdhr_1'] }),
      record('edghts_1', 'https_edge', {
        hostports: ['app.example.com:443'],
        routes: [
          { id: 'r1', match_type: 'path_prefix', match: '/', backend: { enabled: true, backend_id: 'bkdfo_1' } },
        ],
      }),
      record('edgtcp_1', 'tcp_edge', {
        hostports: ['localhost:20001'],
        backend: { enabled: true, backend_id: 'bkdtg_1' },
      }),
    ],
    Snapshot.empty(),
    deps,
  );
  assert.deepEqual([...snapshot.errors], []);
  const edge = snapshot.hosts.match('app.example.com');
  assert.equal(edge?.kind, 'https');
  assert.equal(edge?.kind === 'https' && edge.routes.match('app.example.com', '/x')?.backend?.kind, 'failover');
  assert.equal(snapshot.tcpPorts.get(20001)?.backend?.kind, 'tunnel_group');
});

test('a record that fails to compile keeps its previous version live and reports why', () => {
  const good = compileSnapshot(
    [
      record('bkdtg_1', 'tunnel_group_backend', { labels: { a: 'b' } }),
      record('edgtcp_1', 'tcp_edge', { hostports: ['h:20001'], backend: { backend_id: 'bkdtg_1' } }),
    ],
    Snapshot.empty(),
    deps,
  );
  const next = compileSnapshot(
    [
      record('bkdtg_1', 'tunnel_group_backend', { labels: { a: 'b' } }),
      record('bkdhr_1', 'http_response_backend', { body: 'x' }),
      record('edgtcp_1', 'tcp_edge', { hostports: ['h:20002'], backend: { backend_id: 'bkdhr_1' } }),
      record('bkdfo_1', 'failover_backend', { backends: ['bkdfo_2'] }),
      record('bkdfo_2', 'failover_backend', { backends: ['bkdfo_1'] }),
    ],
    good,
    deps,
  );
  assert.match(next.errors.get('edgtcp_1') ?? '', /HTTP response backend/);
  assert.equal(next.tcpPorts.get(20001)?.id, 'edgtcp_1', 'the previous version stays live');
  assert.equal(next.tcpPorts.has(20002), false);
  assert.match(next.errors.get('bkdfo_1') ?? '', /may not contain itself/);
  assert.equal(next.version, good.version + 1);
});

test('TLS policies: min_version and mutual_tls CAs of the same account compile into the edge; mutual_tls cannot pass through', () => {
  const snapshot = compileSnapshot(
    [
      record('ca_1', 'certificate_authority', { ca_pem: 'CA-PEM' }),
      { ...record('ca_2', 'certificate_authority', { ca_pem: 'OTHER' }), account_id: 'acct_2' },
      record('edghts_1', 'https_edge', {
        hostports: ['a.example.com:443'],
        tls_termination: { min_version: '1.0' },
        mutual_tls: { certificate_authority_ids: ['ca_1'] },
      }),
      record('edghts_2', 'https_edge', {
        hostports: ['b.example.com:443'],
        mutual_tls: { certificate_authority_ids: ['ca_2'] },
      }),
      record('edgtls_1', 'tls_edge', {
        hostports: ['c.example.com:443'],
        tls_termination: { terminate_at: 'upstream' },
        mutual_tls: { certificate_authority_ids: ['ca_1'] },
      }),
    ],
    Snapshot.empty(),
    deps,
  );
  const a = snapshot.hosts.match('a.example.com');
  assert.equal(a?.tls.minVersion, '1.0');
  assert.equal(a?.tls.clientCaPem, 'CA-PEM\n');
  assert.match(
    snapshot.errors.get('edghts_2') ?? '',
    /certificate_authority_ids\[0\]: ca_2 does not exist/,
    "another account's CA is not found",
  );
  assert.match(snapshot.errors.get('edgtls_1') ?? '', /terminate_at "edge"/);
  assert.equal(snapshot.hosts.match('c.example.com'), undefined);
});
