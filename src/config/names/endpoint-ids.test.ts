import assert from 'node:assert/strict';
import { test } from 'node:test';
import { agentEndpointId, edgeEndpointId } from './endpoint-ids.ts';

test('an agent endpoint id keeps its tunnel id body; another tunnel id is digested with its start time', () => {
  const startedAt = new Date('2026-12-05T06:00:00Z');
  assert.equal(agentEndpointId({ id: 'tn_01m92bpw22qy3vndhrrjth3acbz', startedAt }), 'ep_01m92bpw22qy3vndhrrjth3acbz');
  const odd = agentEndpointId({ id: 'my-own-id', startedAt });
  assert.match(odd, /^ep_[0-9a-z]{27}$/);
  assert.equal(odd, agentEndpointId({ id: 'my-own-id', startedAt }), 'the same id gives the same endpoint');
  assert.notEqual(odd, agentEndpointId({ id: 'my-own-id2', startedAt }));
});

test("an edge endpoint id starts with the edge id's time and differs per name or port", () => {
  const edge = 'edghts_01m92bpw3fzsf22js5rrpfr5t4m';
  const a = edgeEndpointId(edge, 'a.example.com');
  assert.match(a, /^ep_01m92bpw3f[0-9a-z]{17}$/);
  assert.equal(a, edgeEndpointId(edge, 'A.Example.com'), 'names compare without case');
  assert.notEqual(a, edgeEndpointId(edge, 'b.example.com'));
  assert.notEqual(edgeEndpointId(edge, 20001), edgeEndpointId('edgtcp_01m92bpw3fzsf22js5rrpfr5t4m', 20001));
});
