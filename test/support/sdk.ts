import type { TestContext } from 'node:test';
import ngrok from '@ngrok/ngrok';
import { defer } from './defer.ts';
import type { TestEdge } from './edge.ts';
import { sleep } from './services.ts';

/** `ngrok.forward()` of the official SDK against the test edge, on a session of its own, closed after the test. */
export async function sdkForward(t: TestContext, edge: TestEdge, config: ngrok.Config): Promise<ngrok.Listener> {
  const listener = await ngrok.forward({
    authtoken: edge.credentials.authtoken,
    server_addr: edge.serverAddr,
    session_ca_cert: edge.caPem,
    force_new_session: true,
    ...config,
  });
  defer(t, () => Promise.race([listener.close().catch(() => {}), sleep(2000)]));
  return listener;
}

/** A session of the official SDK (with the edge's authtoken unless given), closed after the test. */
export async function sdkSession(
  t: TestContext,
  edge: TestEdge,
  authtoken = edge.credentials.authtoken,
): Promise<ngrok.Session> {
  const session = await new ngrok.SessionBuilder()
    .serverAddr(edge.serverAddr)
    .caCert(Buffer.from(edge.caPem))
    .authtoken(authtoken)
    .connect();
  defer(t, () => Promise.race([session.close().catch(() => {}), sleep(2000)]));
  return session;
}
