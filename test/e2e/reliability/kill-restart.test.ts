// SIGKILL gives the edge no chance to say goodbye: agents (ours and the official SDK) must find
// the restarted edge on their own and get their URLs back, a random TCP address included.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import ngrok from '@ngrok/ngrok';
import { jsonLine, spawnPortico } from '../../support/cli.ts';
import { request } from '../../support/client.ts';
import { defer } from '../../support/defer.ts';
import { tempDir } from '../../support/edge.ts';
import { spawnEdge } from '../../support/edge-process.ts';
import { echoOnce, eventually, freePorts, sleep, startEchoService, startHttpService } from '../../support/services.ts';

// The official SDK retries 50 ms after a drop, then 2.5 s later, then only after 125 s: when the
// restart takes longer than that second try (tsx start-up alone is about 1.5 s; CI is loaded),
// the SDK is given its 125 s.
test(
  'SIGKILL and restart: our agent (CLI) and the SDK come back with the same URLs',
  { timeout: 240_000 },
  async (t) => {
    const dataDir = await tempDir(t);
    const ports = await freePorts(4);
    const first = await spawnEdge(t, dataDir, { ports });
    const web = await startHttpService(t, (req, res) => res.end(`web ${req.url}`));
    const echo = await startEchoService(t);

    const env = { PORTICO_DATA_DIR: dataDir, XDG_CONFIG_HOME: dataDir };
    const cli = spawnPortico(t, ['http', String(web.port), '--log', 'stdout', '--log-format', 'json'], env);
    let cliLog = '';
    cli.stdout!.on('data', (c: Buffer) => (cliLog += c.toString()));
    const cliUrl = String((await jsonLine(cli, (l) => l.msg === 'started tunnel')).url);
    const cliTcp = spawnPortico(t, ['tcp', String(echo.port), '--log', 'stdout', '--log-format', 'json'], env);
    const tcpPort = Number(new URL(String((await jsonLine(cliTcp, (l) => l.msg === 'started tunnel')).url)).port);
    const sdk = await new ngrok.SessionBuilder()
      .serverAddr(first.bootstrap.agent_addr)
      .caCert(Buffer.from(first.caPem))
      .authtoken(first.bootstrap.authtoken)
      .connect();
    defer(t, () => Promise.race([sdk.close().catch(() => {}), sleep(2000)]));
    const sdkUrl = (await sdk.httpEndpoint().listenAndForward(web.url)).url()!;
    for (const url of [cliUrl, sdkUrl])
      assert.equal((await request(`${url}/before`, { ca: first.caPem })).body.toString(), 'web /before');
    assert.equal(await echoOnce(tcpPort, 'before'), 'before');

    const killedAt = Date.now();
    first.child.kill('SIGKILL');
    await first.exited;
    const second = await spawnEdge(t, dataDir, { ports });
    const downtime = Date.now() - killedAt;
    t.diagnostic(`the edge was down for ${downtime} ms`);
    assert.equal(second.caPem, first.caPem);
    for (const [url, withinMs] of [
      [cliUrl, 60_000],
      [sdkUrl, downtime < 2400 ? 60_000 : 150_000],
    ] as const) {
      const body = await eventually(
        async () => {
          const r = await request(`${url}/after`, { ca: second.caPem });
          return r.status === 200 && r.body.toString();
        },
        withinMs,
        `${url} to serve again`,
      ).catch((err: Error) => {
        throw new Error(`${err.message}\nour agent:\n${cliLog}\nedge:\n${second.output()}`);
      });
      assert.equal(body, 'web /after');
    }
    assert.equal(await eventually(() => echoOnce(tcpPort, 'after'), 30_000, 'the TCP address to serve again'), 'after');
  },
);
