/**
 * The traffic inspector page in headless Chromium (Debian's, driven by playwright-core): a
 * request through the tunnel appears live, Replay makes the local service see it again, and
 * an edited request sent from the page is what the service sees. The test saves a screenshot.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { chromium } from 'playwright-core';
import { request } from '../../support/client.ts';
import { defer } from '../../support/defer.ts';
import { startTestEdge } from '../../support/edge.ts';
import { startInspectedAgent } from '../../support/inspector-agent.ts';
import { eventually, freePort, startHttpService } from '../../support/services.ts';

const executablePath = '/usr/bin/chromium';
const skip = existsSync(executablePath) ? false : `no Chromium at ${executablePath} (apt-get install chromium)`;

test(
  'headless Chromium: a request appears live, Replay sends it again, an edited replay changes what the service sees',
  { skip },
  async (t) => {
    const edge = await startTestEdge(t);
    const seen: Array<{ method?: string; url?: string; body: string; note?: string }> = [];
    const service = await startHttpService(t, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        seen.push({ method: req.method, url: req.url, body, note: req.headers['x-note'] as string | undefined });
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ ok: true, echoed: body }));
      });
    });
    const agent = await startInspectedAgent(t, edge, ['http', String(service.port)], `127.0.0.1:${await freePort()}`);

    const browser = await chromium.launch({
      executablePath,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-sync'],
    });
    defer(t, () => browser.close());
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(agent.web);
    await page.waitForSelector('#live:text("live")');

    // Live: the page is open before the request is made.
    const res = await request(`${agent.url}/orders?id=7`, {
      ca: edge.caPem,
      method: 'POST',
      body: '{"item":"tea"}',
      headers: { 'content-type': 'application/json', 'x-note': 'original' },
    });
    assert.equal(res.status, 200);
    const row = page.locator('#requests li', { hasText: '/orders?id=7' });
    await row.waitFor();
    assert.equal(await row.locator('.status').textContent(), '200');
    await row.click();
    await page.waitForSelector('#detail h2:text("POST /orders?id=7")');
    assert.match((await page.locator('#detail pre.body').first().textContent()) ?? '', /"item": "tea"/);

    // Filters hide what does not match and show it again.
    await page.fill('#filter-status', '4xx');
    await row.waitFor({ state: 'hidden' });
    await page.fill('#filter-status', '2xx');
    await page.selectOption('#filter-method', 'POST');
    await page.fill('#filter-path', '/orders');
    await row.waitFor({ state: 'visible' });

    await page.click('#replay');
    await page.waitForSelector('#replay-result:text("replayed")');
    assert.equal(seen.length, 2, 'the service saw the request twice');
    assert.deepEqual(seen[1], seen[0]);
    await eventually(async () => (await page.locator('#requests li', { hasText: '/orders?id=7' }).count()) === 2);

    await page.click('#edit');
    const raw = await page.inputValue('#edit-raw');
    const edited = raw
      .replace('/orders?id=7', '/orders?id=8')
      .replace(/^x-note: original$/im, 'x-note: edited')
      .replace('{"item":"tea"}', '{"item":"coffee"}');
    await page.fill('#edit-raw', edited);
    await page.click('#send-edited');
    await page.waitForSelector('#replay-result:text("replayed")');
    assert.equal(seen.length, 3);
    assert.deepEqual(seen[2], { method: 'POST', url: '/orders?id=8', body: '{"item":"coffee"}', note: 'edited' });
    await page.locator('#requests li', { hasText: '/orders?id=8' }).waitFor();

    const dir = await mkdtemp(join(tmpdir(), 'portico-inspector-'));
    const screenshot = join(dir, 'inspector.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    t.diagnostic(`screenshot: ${screenshot}`);
  },
);
