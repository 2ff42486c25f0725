import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, harness, send, type Harness } from '../../test/harness.js';
import { shopConfig } from '../decide/fixtures.js';
import { createTactClient } from './client.js';

/**
 * The browser snippet in a real browser (Debian's chromium, driven by playwright-core): a page on
 * one origin imports /tact/browser.js from the Tact server on another, so the module's loading,
 * CORS (a preflight for the write key's Authorization header, also on keepalive reports), the
 * IntersectionObserver and real clicks are all the browser's own.
 */
const CHROMIUM = '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available && process.env.CI) throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium package for this test`);

/** Waits until `ok` holds (checking every 50 ms, at most `ms`), then asserts it. */
async function eventually(ok: () => Promise<boolean>, ms: number): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end && !(await ok()); ) await new Promise((r) => setTimeout(r, 50));
  expect(await ok()).toBe(true);
}

describe.skipIf(!available)('the browser snippet in chromium', () => {
  let h: Harness;
  let tactUrl: string;
  let pages: Server;
  let pageUrl: string;
  let browser: Browser;
  let slow: Server;
  let slowUrl: string;
  const abandoned: string[] = [];
  const headlines = ['New running shoes', 'Run further'];

  /** Where nothing listens: a Tact that is down. */
  let downUrl: string;

  /** The page: a placement, optionally below the fold, optionally drawn as a link off the page. */
  const html = (q: URLSearchParams) => q.has('down') ? documented(downUrl) : `<!doctype html><html><head><meta charset="utf-8"><title>shop</title></head><body style="margin:0">
${q.has('below') ? '<div style="height:3000px">spacer</div>' : ''}
<div id="hero" style="height:${q.has('tall') ? 3000 : 120}px"><p data-tact-content></p><button data-tact-dismiss>×</button></div>
<script type="module">
  import { showPlacement } from '${tactUrl}/tact/browser.js';
  const el = document.getElementById('hero');
  const render = ${q.has('link') ? `(c, el) => { el.querySelector('[data-tact-content]').innerHTML = '<a id="go" href="/next">' + c.content.headline + '</a>'; }` : 'undefined'};
  showPlacement({ baseUrl: '${q.has('slow') ? slowUrl : tactUrl}', writeKey: '${KEYS.write}', placement: 'home', subject: 'ana', element: el, render })
    .then((d) => { window.tactDecision = d; }, (e) => { window.tactError = String(e); });
</script></body></html>`;

  /** The embed as docs/decisions.md shows it, word for word but the addresses: no `.then`, no `.catch`. */
  const documented = (base: string) => `<!doctype html><html><head><meta charset="utf-8"><title>shop</title></head><body>
<div id="hero"><p data-tact-content>Welcome to the shop</p><button data-tact-dismiss>×</button></div>
<script type="module">
  import { showPlacement } from '${tactUrl}/tact/browser.js';
  showPlacement({ baseUrl: '${base}', writeKey: '${KEYS.write}', placement: 'home',
    subject: 'ana', element: document.getElementById('hero') });
</script></body></html>`;

  const outcomes = async (id: string) =>
    ((await createTactClient({ baseUrl: tactUrl, key: KEYS.server }).decision(id)).outcomes ?? []).map((o) => o.type).sort();
  const open = async (query = ''): Promise<{ page: Page; decisionId: string }> => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await page.goto(`${pageUrl}/${query}`);
    await page.waitForFunction(() => (window as { tactDecision?: unknown; tactError?: unknown }).tactDecision ?? (window as { tactError?: unknown }).tactError, undefined, { timeout: 15_000 });
    const d = await page.evaluate(() => {
      const w = window as unknown as { tactDecision?: { decisionId: string }; tactError?: string };
      return { tactDecision: w.tactDecision, tactError: w.tactError };
    });
    expect(errors).toEqual([]);
    if (!d.tactDecision) throw new Error(`the snippet failed in the page: ${String(d.tactError)}`);
    return { page, decisionId: d.tactDecision.decisionId };
  };

  beforeAll(async () => {
    h = await harness('sqlite', { config: shopConfig() });
    await send(h.app, '/v1/identify', { userId: 'ana', traits: { name: 'Ana' }, context: { consent: { categoryPreferences: { Advertising: true } } } });
    tactUrl = await h.app.listen({ port: 0, host: '127.0.0.1' });
    pages = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(url.pathname === '/next' ? '<!doctype html><title>next</title><p>next page</p>' : html(url.searchParams));
    });
    await new Promise<void>((r) => pages.listen(0, '127.0.0.1', r));
    // "localhost" and 127.0.0.1 are different origins: the snippet is loaded cross-origin.
    pageUrl = `http://localhost:${(pages.address() as AddressInfo).port}`;
    // A slow network in front of Tact: an outcome report takes 500 ms to get through, and one whose
    // sender gave up meanwhile (the page it came from is gone, unless the report is keepalive)
    // never arrives.
    slow = createServer((req, res) => {
      let gone = false;
      res.on('close', () => { if (!res.writableFinished) gone = true; });
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        if (req.method === 'POST' && req.url === '/v1/outcomes') await new Promise((r) => setTimeout(r, 500));
        if (gone) return void abandoned.push(`${req.method} ${req.url}`);
        const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !['host', 'connection', 'content-length'].includes(k))) as Record<string, string>;
        const answer = await fetch(`${tactUrl}${req.url}`, { method: req.method, headers, body: chunks.length ? Buffer.concat(chunks) : undefined });
        answer.headers.forEach((v, k) => { if (!['content-length', 'content-encoding', 'transfer-encoding', 'connection', 'keep-alive'].includes(k)) res.setHeader(k, v); });
        res.writeHead(answer.status).end(Buffer.from(await answer.arrayBuffer()));
      });
    });
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    slowUrl = `http://127.0.0.1:${(slow.address() as AddressInfo).port}`;
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    downUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((r) => closed.close(r));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => pages?.close(r));
    await new Promise((r) => slow?.close(r));
    await h?.close();
  });

  it('loads the snippet from the Tact server, draws the choice and reports the impression, a click and a dismissal, each once', async () => {
    const { page, decisionId } = await open();
    expect(headlines).toContain(await page.textContent('#hero [data-tact-content]'));
    expect(await page.getAttribute('#hero', 'data-tact-decision')).toBe(decisionId);
    await eventually(async () => (await outcomes(decisionId)).includes('impression'), 10_000);
    await page.click('#hero [data-tact-content]');
    await page.click('#hero [data-tact-content]');
    await page.click('#hero [data-tact-dismiss]');
    await page.click('#hero [data-tact-dismiss]');
    await eventually(async () => (await outcomes(decisionId)).length >= 3, 10_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(await outcomes(decisionId)).toEqual(['click', 'dismissal', 'impression']);
    await page.close();
  });

  it('reports the impression only once half the placement has been seen', async () => {
    const { page, decisionId } = await open('?below');
    await new Promise((r) => setTimeout(r, 800));
    expect(await outcomes(decisionId)).toEqual([]);
    await page.locator('#hero').scrollIntoViewIfNeeded();
    await eventually(async () => (await outcomes(decisionId)).includes('impression'), 10_000);
    expect(await outcomes(decisionId)).toEqual(['impression']);
    await page.close();
  });

  it('reports the impression of a placement too tall ever to be half in view once it fills half the viewport', async () => {
    // 3000 px in a 720 px viewport: at most 24% of it is ever in view.
    const { page, decisionId } = await open('?tall&below');
    await new Promise((r) => setTimeout(r, 800));
    expect(await outcomes(decisionId)).toEqual([]);
    await page.evaluate(() => window.scrollTo(0, 3000));
    await eventually(async () => (await outcomes(decisionId)).includes('impression'), 5_000);
    expect(await outcomes(decisionId)).toEqual(['impression']);
    await page.close();
  });

  it('still reports a click on a link that leaves the page, over a slow network', async () => {
    const { page, decisionId } = await open('?link&slow');
    await eventually(async () => (await outcomes(decisionId)).includes('impression'), 10_000);
    await Promise.all([page.waitForURL(`${pageUrl}/next`), page.click('#go')]);
    await eventually(async () => (await outcomes(decisionId)).includes('click'), 10_000);
    expect(await outcomes(decisionId)).toEqual(['click', 'impression']);
    expect(abandoned).toEqual([]);
    await page.close();
  });

  it('leaves the page as it was, with no uncaught error, when Tact is down (the documented embed has no .catch)', async () => {
    // Until 2026-12-05 the call rejected: an "Uncaught (in promise) TypeError: Failed to fetch" in every page while Tact was down.
    const page = await browser.newPage();
    const uncaught: string[] = [];
    const warnings: string[] = [];
    page.on('pageerror', (e) => uncaught.push(String(e)));
    page.on('console', (m) => {
      if (m.type() === 'warning') warnings.push(m.text());
      // The browser's own line for the refused connection ("Failed to load resource", net::…) is not the page's error.
      else if (m.type() === 'error' && !/net::|Failed to load resource/.test(m.text())) uncaught.push(m.text());
    });
    await page.goto(`${pageUrl}/?down`);
    await eventually(async () => warnings.length + uncaught.length > 0, 10_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(uncaught).toEqual([]);
    expect(warnings).toEqual([expect.stringMatching(/^Tact: nothing drawn for the placement "home": Could not reach Tact at http:\/\/127\.0\.0\.1:\d+\/v1\/decide: Failed to fetch/)]);
    expect(await page.textContent('#hero [data-tact-content]')).toBe('Welcome to the shop');
    expect(await page.getAttribute('#hero', 'data-tact-decision')).toBeNull();
    await page.close();
  });

  it('serves the modules as JavaScript, revalidated by ETag', async () => {
    const first = await fetch(`${tactUrl}/tact/browser.js`);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toMatch(/^text\/javascript/);
    const text = await first.text();
    expect(text).toContain('export async function showPlacement');
    expect(text).not.toMatch(/sourceMappingURL|: SlotElement/);
    const again = await fetch(`${tactUrl}/tact/browser.js`, { headers: { 'if-none-match': first.headers.get('etag') ?? '' } });
    expect(again.status).toBe(304);
  });
});
