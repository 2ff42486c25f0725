import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { KEYS, harness, send, type Harness } from '../../test/harness.js';
import { shopConfig } from '../decide/fixtures.js';
import { showPlacement, type PlacementOptions, type SlotElement } from './browser.js';
import { createTactClient } from './client.js';

type Target = { closest?: (s: string) => unknown; dataset?: Record<string, string | undefined> };
const content = () => ({ target: { closest: () => null } as Target });
const dismiss = () => ({ target: { closest: (s: string) => (s === '[data-tact-dismiss]' ? {} : null) } as Target });

/** An element like the DOM's: every listener added (and not removed) hears every click. */
function element(child?: SlotElement): SlotElement & { click(e: { target: unknown }): void; listeners(): number } {
  const fns: ((e: { target: unknown }) => void)[] = [];
  return {
    textContent: null,
    dataset: {},
    addEventListener: (_t, fn) => void (fns.includes(fn) || fns.push(fn)),
    removeEventListener: (_t, fn) => void (fns.includes(fn) && fns.splice(fns.indexOf(fn), 1)),
    ...(child ? { querySelector: (s: string) => (s === '[data-tact-content]' ? child : null) } : {}),
    click: (e) => [...fns].forEach((fn) => fn(e)),
    listeners: () => fns.length,
  };
}

describe('the browser snippet', () => {
  let h: Harness;
  let url: string;
  const inits: RequestInit[] = [];
  const spy: typeof fetch = (input, init) => {
    inits.push(init ?? {});
    return fetch(input, init);
  };
  const settle = () => new Promise((r) => setTimeout(r, 150));
  const show = (o: Partial<PlacementOptions> & { element: SlotElement }) =>
    // A failed call would resolve with null: thrown here instead, so a test fails with its reason.
    showPlacement({ baseUrl: url, writeKey: KEYS.write, placement: 'home', subject: 'ana', fetch: spy, whenVisible: () => undefined, onError: (e) => { throw e; }, ...o }).then((d) => d!);
  const outcomesOf = async (id: string) => ((await createTactClient({ baseUrl: url, key: KEYS.server }).decision(id)).outcomes ?? []).map((x) => x.type);
  /** Waits (at most 5 s) until the decision has `n` outcomes, then a little more, so an extra one would show. */
  const arrived = async (id: string, n: number) => {
    for (let i = 0; i < 100 && (await outcomesOf(id)).length < n; i++) await new Promise((r) => setTimeout(r, 50));
    await settle();
  };

  beforeAll(async () => {
    h = await harness('sqlite', { config: shopConfig() });
    for (const userId of ['ana', 'race', 'seen']) await send(h.app, '/v1/identify', { userId, context: { consent: { categoryPreferences: { Advertising: true } } } });
    url = await h.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => h.close());

  it('reports a click and a later dismissal of the same display, each once', async () => {
    const el = element();
    const d = await show({ element: el });
    el.click(content());
    el.click(content());
    el.click(dismiss());
    el.click(dismiss());
    await arrived(d.decisionId, 3);
    expect((await outcomesOf(d.decisionId)).sort()).toEqual(['click', 'dismissal', 'impression']);
  });

  it('reports the impression once, however often the visibility callback fires', async () => {
    const d = await show({ element: element(), whenVisible: (_e, fn) => { fn(); fn(); } });
    await settle();
    expect(await outcomesOf(d.decisionId)).toEqual(['impression']);
  });

  it('drawn again in the same element, reports only for the decision now shown', async () => {
    const el = element();
    let seen: (() => void) | undefined;
    const first = await show({ element: el, whenVisible: (_e, fn) => { seen = fn; } });
    const second = await show({ element: el });
    seen?.();
    el.click(content());
    await settle();
    expect(await outcomesOf(first.decisionId)).toEqual([]);
    expect((await outcomesOf(second.decisionId)).sort()).toEqual(['click', 'impression']);
  });

  it('drawn again in the same element, leaves one click listener, so a click reports one click', async () => {
    const el = element();
    await show({ element: el });
    await show({ element: el });
    const third = await show({ element: el });
    expect(el.listeners()).toBe(1);
    inits.length = 0;
    el.click(content());
    await arrived(third.decisionId, 2);
    expect((await outcomesOf(third.decisionId)).sort()).toEqual(['click', 'impression']);
    expect(inits.map((i) => JSON.parse(String(i.body)).type)).toEqual(['impression', 'click']);
  });

  it('drawn again with a render that throws, keeps the earlier draw and its reports (the error reaches the page)', async () => {
    const el = element();
    const first = await show({ element: el });
    await expect(show({ element: el, render: () => { throw new Error('template missing'); } })).rejects.toThrow('template missing');
    expect(el.listeners()).toBe(1);
    expect(el.dataset.tactDecision).toBe(first.decisionId);
    el.click(content());
    await arrived(first.decisionId, 2);
    expect((await outcomesOf(first.decisionId)).sort()).toEqual(['click', 'impression']);
  });

  it('drawn again in the same element, stops watching for the earlier decision\'s impression', async () => {
    const observers: { disconnected: boolean }[] = [];
    vi.stubGlobal('IntersectionObserver', class {
      disconnected = false;
      constructor() { observers.push(this); }
      observe() {}
      disconnect() { this.disconnected = true; }
    });
    const stopped: string[] = [];
    try {
      const el = element();
      await show({ element: el, whenVisible: undefined });
      await show({ element: el, whenVisible: () => () => stopped.push('custom') });
      await show({ element: el, whenVisible: undefined });
    } finally {
      vi.unstubAllGlobals();
    }
    expect(observers.map((x) => x.disconnected)).toEqual([true, false]);
    expect(stopped).toEqual(['custom']);
  });

  it('asked twice for the same element, draws the later call\'s decision even when the earlier answer arrives last', async () => {
    // A shop's single-page app moves from one product to the next (or React's StrictMode mounts
    // twice): the first answer is slow. The element must show — and report — the later call's decision.
    let slowFirst = true;
    const laggy: typeof fetch = async (input, init) => {
      const delay = String(input).endsWith('/v1/decide') && slowFirst;
      slowFirst = false;
      const res = await fetch(input, init);
      if (delay) await new Promise((r) => setTimeout(r, 200));
      return res;
    };
    const el = element();
    const drawn: string[] = [];
    const render = (c: { action?: string }) => drawn.push(String(c.action));
    const [first, second] = await Promise.all([
      show({ element: el, fetch: laggy, render, subject: 'race', context: { product: 'a' } }),
      show({ element: el, fetch: laggy, render, subject: 'race', context: { product: 'b' } }),
    ]);
    expect(el.dataset.tactDecision).toBe(second.decisionId);
    expect(drawn).toEqual([second.choices[0].action]);
    el.click(content());
    await settle();
    expect(await outcomesOf(first.decisionId)).toEqual([]);
    expect((await outcomesOf(second.decisionId)).sort()).toEqual(['click', 'impression']);
  });

  it('reports the impression before a click or a dismissal when the visibility callback has not fired (a click proves it was seen)', async () => {
    const el = element();
    const d = await show({ element: el, subject: 'seen' });
    el.click(dismiss());
    await arrived(d.decisionId, 2);
    expect((await outcomesOf(d.decisionId)).sort()).toEqual(['dismissal', 'impression']);
    el.click(content());
    await arrived(d.decisionId, 3);
    expect((await outcomesOf(d.decisionId)).sort()).toEqual(['click', 'dismissal', 'impression']);
  });

  it('sends its reports with keepalive, so a click that leaves the page still arrives', async () => {
    inits.length = 0;
    const el = element();
    await show({ element: el });
    el.click(content());
    await settle();
    expect(inits.map((i) => [JSON.parse(String(i.body)).type ?? 'decide', i.keepalive === true])).toEqual([['decide', false], ['impression', true], ['click', true]]);
  });

  it('draws the default content into the [data-tact-content] child, keeping a dismiss button beside it', async () => {
    const headline = element();
    const el = element(headline);
    await show({ element: el });
    expect(headline.textContent).toMatch(/New running shoes|Run further/);
    expect(el.textContent).toBeNull();
  });
});
