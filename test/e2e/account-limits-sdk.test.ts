import assert from 'node:assert/strict';
import { test } from 'node:test';
import ngrok from '@ngrok/ngrok';
import { otherAccount } from '../support/api.ts';
import { defer } from '../support/defer.ts';
import { startTestEdge, type TestEdge } from '../support/edge.ts';
import { sleep, startHttpService } from '../support/services.ts';

function connect(edge: TestEdge, authtoken: string) {
  return new ngrok.SessionBuilder()
    .serverAddr(edge.serverAddr)
    .caCert(Buffer.from(edge.caPem))
    .authtoken(authtoken)
    .connect();
}

test('the official SDK sees the account limits as errors with their codes: ERR_NGROK_108 at connect, ERR_NGROK_324 at bind', async (t) => {
  const edge = await startTestEdge(t);
  const account = await otherAccount(edge, 'sdk-limits');
  await edge.store.accountLimits.set(account.accountId, { max_sessions: 1, max_tunnels_per_session: 1 });
  const web = await startHttpService(t, (_req, res) => res.end('sdk'));

  const session = await connect(edge, account.authtoken);
  defer(t, () => Promise.race([session.close().catch(() => {}), sleep(2000)]));
  await session.httpEndpoint().listenAndForward(web.url);
  await assert.rejects(session.httpEndpoint().listenAndForward(web.url), (err: Error) =>
    /ERR_NGROK_324/.test(String(err.message)),
  );
  await assert.rejects(connect(edge, account.authtoken), (err: Error) => /ERR_NGROK_108/.test(String(err.message)));
});
