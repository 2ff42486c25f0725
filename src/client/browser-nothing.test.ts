import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, harness, send, type Harness } from '../../test/harness.js';
import { shopConfig } from '../decide/fixtures.js';
import { showPlacement, type SlotElement } from './browser.js';
import { createTactClient } from './client.js';

type Click = { target: unknown };
const dismiss: Click = { target: { closest: (s: string) => (s === '[data-tact-dismiss]' ? {} : null) } };
const content: Click = { target: { closest: () => null } };

/** A slot like the DOM's: the page's own headline child, and every listener still added hears a click. */
function slot(text: string) {
  const headline: SlotElement = { textContent: text, dataset: {}, addEventListener: () => undefined, removeEventListener: () => undefined };
  const fns: ((e: Click) => void)[] = [];
  const el = {
    textContent: null,
    dataset: {} as Record<string, string | undefined>,
    addEventListener: (_t: 'click', fn: (e: Click) => void) => void fns.push(fn),
    removeEventListener: (_t: 'click', fn: (e: Click) => void) => void (fns.includes(fn) && fns.splice(fns.indexOf(fn), 1)),
    querySelector: (s: string) => (s === '[data-tact-content]' ? headline : null),
    click: (e: Click) => [...fns].forEach((fn) => fn(e)),
  };
  return { el, headline };
}

/**
 * The shop's dismissal rule (fixtures.ts: two dismissals of an action in 30 days suppress it) leaves
 * a visitor who dismissed every offer with "none". A page that asks again after a dismissal (a
 * single-page app's next view) must then stop showing the dismissed offer and stop reporting it.
 */
describe('the browser snippet answered with nothing to show', () => {
  let h: Harness;
  let url: string;
  const server = () => createTactClient({ baseUrl: url, key: KEYS.server });
  const outcomesOf = async (id: string) => ((await server().decision(id)).outcomes ?? []).map((x) => x.type).sort();
  const settle = () => new Promise((r) => setTimeout(r, 200));

  beforeAll(async () => {
    h = await harness('sqlite', { config: shopConfig() });
    await send(h.app, '/v1/identify', { userId: 'done', context: { consent: { categoryPreferences: { Advertising: true } } } });
    url = await h.app.listen({ port: 0, host: '127.0.0.1' });
    // Everything but one last dismissal of the shoes: socks and newsletter twice, shoes once — each of a decision that showed it (one not shown would not count).
    expect((await server().decide({ subject: 'done', placement: 'home', n: 3 })).choices.map((c) => c.action)).toEqual(['shoes-offer', 'socks-offer', 'newsletter']);
    for (const action of ['socks-offer', 'socks-offer', 'newsletter', 'newsletter', 'shoes-offer']) await server().outcome({ subject: 'done', action, type: 'dismissal' });
  });
  afterAll(async () => h.close());

  it('after a dismissal, a "none" answer takes the dismissed offer away: the page\'s own content is back, and nothing more is reported for it', async () => {
    const { el, headline } = slot('Welcome to the shop');
    const show = () => showPlacement({ baseUrl: url, writeKey: KEYS.write, placement: 'home', subject: 'done', element: el, whenVisible: (_e, fn) => fn(), onError: (e) => { throw e; } }).then((d) => d!);
    const first = await show();
    expect(first.choices[0].action).toBe('shoes-offer');
    expect(headline.textContent).toMatch(/New running shoes|Run further/);
    el.click(dismiss);
    await settle();
    expect(await outcomesOf(first.decisionId)).toEqual(['dismissal', 'impression']);

    const second = await show();
    expect(second.choices.map((c) => c.kind)).toEqual(['none']);
    expect(headline.textContent).toBe('Welcome to the shop');
    expect(el.dataset.tactDecision).toBeUndefined();
    el.click(content);
    await settle();
    expect(await outcomesOf(first.decisionId)).toEqual(['dismissal', 'impression']);
    expect(await outcomesOf(second.decisionId)).toEqual([]);

    // Asked again, still "none": the page's content stays as it is.
    await show();
    expect(headline.textContent).toBe('Welcome to the shop');
  });

  it('an action with no headline is drawn as nothing by the default drawing: the page\'s text stays, no impression is reported, and onError says why', async () => {
    // The shoes dismissed twice: the socks bundle (no variants, no content) wins the home placement.
    await send(h.app, '/v1/identify', { userId: 'plain', context: { consent: { categoryPreferences: { Advertising: true } } } });
    expect((await server().decide({ subject: 'plain', placement: 'home' })).choices[0].action).toBe('shoes-offer');
    for (let i = 0; i < 2; i++) await server().outcome({ subject: 'plain', action: 'shoes-offer', type: 'dismissal' });
    const { el, headline } = slot('Welcome to the shop');
    const errors: string[] = [];
    const d = (await showPlacement({ baseUrl: url, writeKey: KEYS.write, placement: 'home', subject: 'plain', element: el, whenVisible: (_e, fn) => fn(), onError: (e) => errors.push((e as Error).message) }))!;
    expect(d.choices[0]).toMatchObject({ kind: 'action', action: 'socks-offer' });
    // Until 2026-12-06 the text was blanked and an impression of it reported.
    expect(headline.textContent).toBe('Welcome to the shop');
    expect(el.dataset.tactDecision).toBeUndefined();
    el.click(content);
    await settle();
    expect(await outcomesOf(d.decisionId)).toEqual([]);
    expect(errors).toEqual(['the action "socks-offer" has no `content.headline` for the default drawing to show: give its variants a headline, or pass `render`']);
  });
});
