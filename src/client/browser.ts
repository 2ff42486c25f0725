import { createTactClient, type TactClient } from './client.js';
import type { Choice, Decision } from './types.js';

/** The few DOM features the snippet uses (so it can be tested without a browser). */
export interface SlotElement {
  textContent: string | null;
  dataset: Record<string, string | undefined>;
  addEventListener(type: 'click', fn: (e: { target: unknown }) => void): void;
  removeEventListener(type: 'click', fn: (e: { target: unknown }) => void): void;
  querySelector?(selector: string): SlotElement | null;
}

/** Options of {@link showPlacement}. */
export interface PlacementOptions {
  baseUrl: string;
  /** The write key: the placement must be marked `public` in the catalog. */
  writeKey: string;
  placement: string;
  /** The visitor's identifier, e.g. analytics.js's anonymousId or the userId. */
  subject: string;
  element: SlotElement;
  context?: Record<string, unknown>;
  /**
   * Draws the choice into the element (default: its content's `headline`, as the text of the
   * element's `[data-tact-content]` child if it has one, so a dismiss button beside it stays; else of the element).
   */
  render?: (choice: Choice, element: SlotElement) => void;
  /**
   * Draws a recommendation placement's items (its choices of kind `item`, ranked) into the element.
   * The snippet has no default: an item choice is only the item's id, and the page knows its name,
   * picture, price and link. Without it, an item decision is returned but neither drawn nor
   * reported. With it, the list's impression, a click in it and a dismissal are reported as
   * outcomes of the decision; a click inside an element the page marks `data-tact-item="<id>"`
   * (one of the decision's items) names that item, once per item.
   *
   * @example
   * renderItems: (items, el) => { el.innerHTML = items.map((c) => productCard(c.item)).join(''); }
   */
  renderItems?: (items: Choice[], element: SlotElement) => void;
  /** How many choices to ask for: the length of a recommendation placement's list (default 1; at most the placement's `slots`). */
  n?: number;
  /**
   * Reports the impression when the element is seen (default: an IntersectionObserver at 50%, or at
   * once). What it returns, if a function, is called when the element is drawn again (stop watching).
   */
  whenVisible?: (element: SlotElement, fn: () => void) => void | (() => void);
  fetch?: typeof fetch;
  /** How long to wait for the decision, in milliseconds (default 10 000; `Infinity` for no limit): then nothing is drawn. */
  timeoutMs?: number;
  /** Stops asking (a view the visitor has left): nothing is drawn, and the call resolves with null without calling `onError`. */
  signal?: AbortSignal;
  /**
   * Hears why nothing was drawn: Tact unreachable (a `TactNetworkError`), a timeout, or an error
   * answer (a `TactApiError`: a wrong write key, a placement not `public`), or, with the default
   * drawing, an action with no `content.headline` to show (an `Error` naming it). Default: a `console.warn`.
   */
  onError?: (error: unknown) => void;
}

/** One IntersectionObserver entry, as far as the snippet reads it. */
interface Seen {
  isIntersecting: boolean;
  intersectionRatio: number;
  intersectionRect: { width: number; height: number };
  boundingClientRect: { width: number };
  rootBounds: { height: number } | null;
}

/**
 * Seen: half of the element is in view — or, for an element taller than twice the viewport (a
 * full-bleed banner on a phone), which can never be half in view, it fills half the viewport's
 * height across at least half its width. (The IAB/MRC viewable-impression guidelines likewise
 * lower the bar for ads too large to be half in view.)
 */
export const halfSeen = (e: Seen): boolean =>
  e.isIntersecting && (e.intersectionRatio >= 0.5 || (!!e.rootBounds && e.intersectionRect.height >= e.rootBounds.height / 2 && e.intersectionRect.width >= e.boundingClientRect.width / 2));

// Steps of 1% up to half: an element ten viewports tall still gets a callback every tenth of a viewport.
const THRESHOLDS = Array.from({ length: 51 }, (_, i) => i / 100);

function defaultVisible(element: SlotElement, fn: () => void): () => void {
  const IO = (globalThis as { IntersectionObserver?: new (cb: (e: Seen[]) => void, o: object) => { observe(el: unknown): void; disconnect(): void } }).IntersectionObserver;
  if (!IO) return (fn(), () => undefined);
  const io = new IO((entries) => {
    if (entries.some(halfSeen)) {
      io.disconnect();
      fn();
    }
  }, { threshold: THRESHOLDS });
  io.observe(element);
  return () => io.disconnect();
}

/** The text each element's default drawing replaced (the page's own), put back when a later answer has nothing to show. */
const pageText = new WeakMap<SlotElement, { target: SlotElement; text: string | null }>();

/** The text the default drawing shows for a choice: its content's `headline`, when it has one to show. */
const headlineOf = (c: Choice): string | undefined => {
  const h = (c.content as { headline?: unknown } | undefined)?.headline;
  return (typeof h === 'string' && h.trim() !== '') || typeof h === 'number' ? String(h) : undefined;
};

const drawHeadline = (c: Choice, el: SlotElement) => {
  const target = el.querySelector?.('[data-tact-content]') ?? el;
  if (!pageText.has(el)) pageText.set(el, { target, text: target.textContent });
  target.textContent = headlineOf(c) ?? '';
};

/** The latest call for each element: an earlier call whose answer arrives later draws nothing. */
const latest = new WeakMap<SlotElement, object>();
/**
 * What undoes each element's current draw: its click listener and its watch for the impression.
 * Without it every redraw added a listener and an observer that lived as long as the element.
 */
const undo = new WeakMap<SlotElement, () => void>();

/** The default `onError`: a warning in the console, so a page that shows nothing says why. */
function warn(placement: string, error: unknown): void {
  (globalThis as { console?: { warn?: (...a: unknown[]) => void } }).console?.warn?.(`Tact: nothing drawn for the placement "${placement}": ${(error as { message?: unknown })?.message ?? String(error)}`, error);
}

/**
 * Takes the element's current draw away: its listener and watch, its decision, and the default
 * drawing's text (the page's own is back). A page's `render` drew what only the page can undo.
 */
function withdraw(element: SlotElement): void {
  undo.get(element)?.();
  undo.delete(element);
  delete element.dataset.tactDecision;
  const page = pageText.get(element);
  if (page) page.target.textContent = page.text;
  pageText.delete(element);
}

/**
 * The browser snippet: asks Tact what to show in a placement, draws it, and reports the
 * impression (once, when seen), a click, and a dismissal (a click on an element marked
 * `data-tact-dismiss` inside the placement's element) as outcomes of that decision, each once; a
 * click or dismissal before the impression reports the impression first (it was seen). Reports
 * outlive the page (a click that follows a link still arrives). Called again for the same element,
 * only the decision now shown is reported, and the latest call wins even when an earlier call's
 * answer arrives after it (that answer is returned but not drawn); the earlier draw's listener and
 * observer are removed. An answer with nothing to show ("none", a handoff) takes an earlier draw
 * away: no more reports for it, and the text the default drawing replaced is put back (a page's
 * `render` undoes its own, from the decision returned). A recommendation placement's items are
 * drawn by `renderItems` (see there).
 *
 * It never breaks the page when Tact cannot answer: Tact unreachable, a timeout, an error answer or
 * the caller's abort resolves with null and draws nothing — the element keeps what it shows (the
 * page's own content, or an earlier draw) — and `onError` hears why (default: `console.warn`).
 * Until 2026-12-05 it rejected, and the documented embed, which has no `.catch`, left an
 * unhandled rejection in the page. It still rejects for the page's own mistakes: no `element`, or
 * a `render` or `renderItems` that throws.
 *
 * @example
 * <div id="hero"><p data-tact-content>Welcome to the shop</p><button data-tact-dismiss>×</button></div>
 * <script type="module">
 *   import { showPlacement } from 'https://tact.example.com/tact/browser.js'; // served by Tact itself
 *   showPlacement({ baseUrl: 'https://tact.example.com', writeKey: 'wk_…', placement: 'home', subject: analytics.user().anonymousId(), element: document.getElementById('hero') });
 *   // Resolves with the decision, or with null when Tact could not answer (the page's text stays).
 * </script>
 */
export async function showPlacement(o: PlacementOptions): Promise<Decision | null> {
  if (!o.element) throw new TypeError(`showPlacement: no \`element\` for the placement "${o.placement}" (did document.getElementById find none?).`);
  const tact: TactClient = createTactClient({ baseUrl: o.baseUrl, key: o.writeKey, auth: 'basic', fetch: o.fetch, keepalive: true, ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}) });
  const call = {};
  latest.set(o.element, call);
  let decision: Decision;
  try {
    decision = await tact.decide({ subject: o.subject, placement: o.placement, context: o.context, ...(o.n ? { n: o.n } : {}) }, o.signal ? { signal: o.signal } : undefined);
  } catch (e) {
    if (!o.signal?.aborted) (o.onError ?? ((x: unknown) => warn(o.placement, x)))(e);
    return null;
  }
  const choice = decision.choices[0];
  const items = decision.choices.filter((c) => c.kind === 'item');
  const renderItems = o.renderItems;
  // Items only by the page's renderItems; an action by `render` or its headline; nothing else ("none", a handoff).
  // The default drawing draws an action only by its headline: one without (an action with no
  // content) would blank the page's own text and report an impression of nothing (until 2026-12-06:
  // QA). It is drawn as nothing, and `onError` hears why.
  const render = o.render;
  const headless = choice?.kind === 'action' && !render && !items.length && headlineOf(choice) === undefined;
  const draw = items.length ? renderItems && (() => renderItems(items, o.element)) : choice?.kind === 'action' && !headless ? () => (render ?? drawHeadline)(choice, o.element) : undefined;
  if (latest.get(o.element) !== call) return decision;
  if (headless) (o.onError ?? ((x: unknown) => warn(o.placement, x)))(new Error(`the action "${choice.action}" has no \`content.headline\` for the default drawing to show: give its variants a headline, or pass \`render\``));
  // Nothing to show ("none", a handoff): an earlier draw — an offer just dismissed — is taken away.
  if (!draw) return (withdraw(o.element), decision);
  // Drawn first: a render that throws leaves the earlier draw, its listener and its reports, as they were.
  draw();
  undo.get(o.element)?.();
  const action = choice.kind === 'action' ? choice.action : undefined;
  const sent = new Set<string>();
  // The recommended items, so that a click names only one the decision answered.
  const listed = new Set(items.map((c) => String(c.item)));
  const report = (type: 'impression' | 'click' | 'dismissal', item?: string) => {
    // Each once (a click once per item), and only while this decision is the one the element shows.
    const key = item ? `${type}:${item}` : type;
    if (sent.has(key) || o.element.dataset.tactDecision !== decision.decisionId) return;
    sent.add(key);
    void tact.outcome({ decisionId: decision.decisionId, ...(action ? { action } : {}), ...(item ? { item } : {}), type }).catch(() => undefined);
  };
  o.element.dataset.tactDecision = decision.decisionId;
  const onClick = (e: { target: unknown }) => {
    const t = e.target as { closest?: (s: string) => unknown; dataset?: Record<string, string | undefined> } | null;
    const dismiss = t?.closest ? t.closest('[data-tact-dismiss]') : t?.dataset && 'tactDismiss' in t.dataset;
    // A click proves it was seen: an element never half in view (or a click before the observer's
    // first callback) would otherwise have clicks without an impression.
    report('impression');
    // A click on an item's card (an element the page marked data-tact-item="<id>") names the item.
    const card = !dismiss && t?.closest ? (t.closest('[data-tact-item]') as { dataset?: Record<string, string | undefined> } | null) : null;
    const item = card?.dataset?.tactItem;
    report(dismiss ? 'dismissal' : 'click', item !== undefined && listed.has(item) ? item : undefined);
  };
  o.element.addEventListener('click', onClick);
  const unwatch = (o.whenVisible ?? defaultVisible)(o.element, () => report('impression'));
  undo.set(o.element, () => {
    o.element.removeEventListener('click', onClick);
    if (typeof unwatch === 'function') unwatch();
  });
  return decision;
}
