import assert from 'node:assert/strict';
import test from 'node:test';
import { selectFields } from './select-fields.ts';

const flat = {
  'conn.client_ip': '203.0.113.7',
  'edge.id': 'edghts_1',
  'edge.route.id': 'edghtsrt_1',
  'http.request.method': 'GET',
  'http.response.status_code': 200,
  'tunnel.id': undefined,
};

test('only the selected fields are kept, nested by their dots', () => {
  assert.deepEqual(selectFields(flat, ['http.request.method', 'edge.route.id', 'edge.id']), {
    http: { request: { method: 'GET' } },
    edge: { route: { id: 'edghtsrt_1' }, id: 'edghts_1' },
  });
});

test('no selection keeps every field that has a value', () => {
  const all = selectFields(flat, []);
  assert.deepEqual(Object.keys(all).sort(), ['conn', 'edge', 'http']);
  assert.equal((all.conn as Record<string, unknown>).client_ip, '203.0.113.7');
});

test('a selected field the event lacks is left out', () => {
  assert.deepEqual(selectFields(flat, ['tunnel.id', 'backend.id']), {});
});
