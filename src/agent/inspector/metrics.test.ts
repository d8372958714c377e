import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { AgentSession } from '../session.ts';
import { AgentTraffic } from '../traffic/traffic.ts';
import { AgentMetrics } from './metrics.ts';

test('the agent metrics count requests by status class, bytes both ways and reconnects, in their own registry', async () => {
  const session = new AgentSession({ serverAddr: '127.0.0.1:9' });
  const traffic = new AgentTraffic();
  const client = new PassThrough();
  const upstream = new PassThrough();
  traffic.connection({ tunnel: 'web', clientAddr: '192.0.2.1:1' }, client).attach(upstream, true);
  client.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
  upstream.write('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
  Object.defineProperty(session, 'reconnects', { value: 1 }); // as after one reconnect
  // Made after the traffic (as at the first scrape), they count it all the same.
  const metrics = new AgentMetrics(session, traffic);

  const text = await metrics.text();
  assert.match(text, /^portico_agent_http_requests_total\{tunnel="web",status_class="4xx"\} 1$/m);
  assert.match(text, /^portico_agent_bytes_total\{tunnel="web",direction="in"\} 27$/m);
  assert.match(text, /^portico_agent_bytes_total\{tunnel="web",direction="out"\} 45$/m);
  assert.match(text, /^portico_agent_reconnects_total 1$/m);
  assert.match(text, /^portico_agent_open_connections\{tunnel="web"\} 1$/m);
  assert.match(text, /^portico_agent_tunnels 0$/m);
  // A second scrape does not count the same bytes twice.
  assert.match(await metrics.text(), /^portico_agent_bytes_total\{tunnel="web",direction="in"\} 27$/m);
  // More traffic shows at the next scrape.
  client.write('GET /b HTTP/1.1\r\nHost: a\r\n\r\n');
  upstream.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
  const later = await metrics.text();
  assert.match(later, /^portico_agent_http_requests_total\{tunnel="web",status_class="4xx"\} 1$/m);
  assert.match(later, /^portico_agent_http_requests_total\{tunnel="web",status_class="2xx"\} 1$/m);
  // A second agent in the same process has its own counters.
  const other = new AgentMetrics(new AgentSession({ serverAddr: '127.0.0.1:9' }), new AgentTraffic());
  assert.match(await other.text(), /^portico_agent_reconnects_total 0$/m);
});
