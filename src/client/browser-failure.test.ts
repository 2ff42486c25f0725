import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { showPlacement, type SlotElement } from './browser.js';
import { TactApiError, TactNetworkError } from './client.js';

/** A slot like the DOM's: the page's own headline child, which the snippet must leave alone when Tact cannot answer. */
function slot(text: string) {
  const headline: SlotElement = { textContent: text, dataset: {}, addEventListener: () => undefined, removeEventListener: () => undefined };
  let listeners = 0;
  const el: SlotElement & { listeners(): number } = {
    textContent: null,
    dataset: {},
    addEventListener: () => void listeners++,
    removeEventListener: () => void listeners--,
    querySelector: (s: string) => (s === '[data-tact-content]' ? headline : null),
    listeners: () => listeners,
  };
  return { el, headline };
}

const hang: typeof fetch = (_i, init) => new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)));

/**
 * QA, 2026-12-05: the documented embed calls showPlacement without `.catch`, and a Tact that could
 * not answer left an unhandled rejection in the page. It now resolves with null, leaves the page's
 * content, and says why to `onError` (default console.warn).
 */
describe('the browser snippet when Tact cannot answer', () => {
  afterEach(() => vi.restoreAllMocks());

  it('resolves with null for a Tact that is down, leaves the page\'s text, and warns with the address and the reason', async () => {
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const { port } = s.address() as AddressInfo;
    await new Promise((r) => s.close(r));
    const warned: unknown[][] = [];
    vi.spyOn(console, 'warn').mockImplementation((...a: unknown[]) => void warned.push(a));
    const { el, headline } = slot('Welcome to the shop');
    const d = await showPlacement({ baseUrl: `http://127.0.0.1:${port}`, writeKey: 'wk', placement: 'home', subject: 'ana', element: el, whenVisible: (_e, fn) => fn() });
    expect(d).toBeNull();
    expect([headline.textContent, el.dataset.tactDecision, el.listeners()]).toEqual(['Welcome to the shop', undefined, 0]);
    expect(warned).toHaveLength(1);
    expect(String(warned[0][0])).toBe(`Tact: nothing drawn for the placement "home": Could not reach Tact at http://127.0.0.1:${port}/v1/decide: connect ECONNREFUSED 127.0.0.1:${port} (nothing listens there: is Tact running, and is \`baseUrl\` its address?).`);
    expect(warned[0][1]).toBeInstanceOf(TactNetworkError);
  });

  it('gives an error answer (a wrong write key) to onError instead of the console', async () => {
    const refused: typeof fetch = async () => new Response('{"error":"invalid_credentials","message":"No such key.","errorId":"e"}', { status: 401, headers: { 'content-type': 'application/json' } });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const errors: unknown[] = [];
    const { el, headline } = slot('Welcome');
    expect(await showPlacement({ baseUrl: 'http://x', writeKey: 'nope', placement: 'home', subject: 'ana', element: el, fetch: refused, onError: (e) => errors.push(e) })).toBeNull();
    expect(errors.map((e) => [e instanceof TactApiError, (e as TactApiError).code])).toEqual([[true, 'invalid_credentials']]);
    expect(warn).not.toHaveBeenCalled();
    expect(headline.textContent).toBe('Welcome');
  });

  it('gives up after its timeoutMs', async () => {
    const errors: unknown[] = [];
    const started = Date.now();
    const d = await showPlacement({ baseUrl: 'http://x', writeKey: 'wk', placement: 'home', subject: 'ana', element: slot('Welcome').el, fetch: hang, timeoutMs: 50, onError: (e) => errors.push(e) });
    expect(d).toBeNull();
    expect(Date.now() - started).toBeLessThan(2000);
    expect((errors[0] as Error).name).toBe('TimeoutError');
  }, 5000);

  it('stops asking when its signal aborts, resolving with null and without an error to report', async () => {
    const errors: unknown[] = [];
    const c = new AbortController();
    setTimeout(() => c.abort(), 30);
    const d = await showPlacement({ baseUrl: 'http://x', writeKey: 'wk', placement: 'home', subject: 'ana', element: slot('Welcome').el, fetch: hang, signal: c.signal, onError: (e) => errors.push(e) });
    expect([d, errors]).toEqual([null, []]);
  }, 5000);

  it('still rejects for the page\'s own mistake: no element', async () => {
    await expect(showPlacement({ baseUrl: 'http://x', writeKey: 'wk', placement: 'home', subject: 'ana', element: null as unknown as SlotElement, fetch: hang })).rejects.toThrow('showPlacement: no `element` for the placement "home" (did document.getElementById find none?).');
  });
});
