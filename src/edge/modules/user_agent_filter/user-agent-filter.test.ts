import assert from 'node:assert/strict';
import type http from 'node:http';
import { test } from 'node:test';
import type { ModuleExchange } from '../../pipeline/exchange.ts';
import { userAgentFilterModule } from './user-agent-filter.ts';

async function verdict(allow: string[], deny: string[], ua: string | undefined): Promise<string> {
  const module = userAgentFilterModule({ name: 'user_agent_filter', allow, deny });
  let out = 'refused';
  const ex = { req: { headers: ua === undefined ? {} : { 'user-agent': ua } } as http.IncomingMessage, refuse() {} };
  await module.handle(ex as unknown as ModuleExchange, async () => void (out = 'passed'));
  return out;
}

test('user-agent filter: allow overrides deny, allow alone refuses nothing, no User-Agent is refused', async () => {
  const deny = ['(?i)google', '[Bb]ing'];
  assert.equal(await verdict(['(?i)google-images'], deny, 'Google-Images/1.0'), 'passed');
  assert.equal(await verdict(['(?i)google-images'], deny, 'Googlebot/2.1'), 'refused');
  assert.equal(await verdict(['(?i)google-images'], deny, 'bingbot'), 'refused');
  assert.equal(await verdict(['(?i)google-images'], deny, 'curl/8.0'), 'passed');
  assert.equal(await verdict(['^curl/\\d+'], [], 'Mozilla/5.0'), 'passed');
  assert.equal(await verdict([], [], undefined), 'refused');
  assert.equal(await verdict(['^$'], [], undefined), 'passed');
  assert.equal(await verdict([], ['\\p{Greek}'], 'αβγ-client'), 'refused');
});
