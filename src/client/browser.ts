import { createTactClient, type TactClient } from './client.js';
import type { Choice, Decision } from './types.js';

/** The few DOM features the snippet uses (so it can be tested without a browser). */
export interface SlotElement {
  textContent: string | null;
  dataset: Record<string, string | undefined>;
  addEventListener(type: 'click', fn: (e: { target: unknown }) => void): void;
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
  /** Draws the choice into the element (default: its content's `headline`, or nothing). */
  render?: (choice: Choice, element: SlotElement) => void;
  /** Reports the impression when the element is seen (default: an IntersectionObserver at 50%, or at once). */
  whenVisible?: (element: SlotElement, fn: () => void) => void;
  fetch?: typeof fetch;
}

function defaultVisible(element: SlotElement, fn: () => void): void {
  const IO = (globalThis as { IntersectionObserver?: new (cb: (e: { isIntersecting: boolean }[]) => void, o: object) => { observe(el: unknown): void; disconnect(): void } }).IntersectionObserver;
  if (!IO) return fn();
  const io = new IO((entries) => {
    if (entries.some((e) => e.isIntersecting)) {
      io.disconnect();
      fn();
    }
  }, { threshold: 0.5 });
  io.observe(element);
}

/**
 * The browser snippet: asks Tact what to show in a placement, draws it, and reports the
 * impression (when seen), a click, and a dismissal (a click on an element marked
 * `data-tact-dismiss`) as outcomes of that decision.
 *
 * @example
 * <div id="hero"></div><button data-tact-dismiss>×</button>
 * <script type="module">
 *   import { showPlacement } from '/tact/browser.js';
 *   showPlacement({ baseUrl: 'https://tact.example.com', writeKey: 'wk_…', placement: 'home', subject: analytics.user().anonymousId(), element: document.getElementById('hero') });
 * </script>
 */
export async function showPlacement(o: PlacementOptions): Promise<Decision> {
  const tact: TactClient = createTactClient({ baseUrl: o.baseUrl, key: o.writeKey, auth: 'basic', fetch: o.fetch });
  const decision = await tact.decide({ subject: o.subject, placement: o.placement, context: o.context });
  const choice = decision.choices[0];
  if (!choice || choice.kind !== 'action') return decision;
  const report = (type: 'impression' | 'click' | 'dismissal') => {
    void tact.outcome({ decisionId: decision.decisionId, action: choice.action, type }).catch(() => undefined);
  };
  (o.render ?? ((c, el) => (el.textContent = String((c.content as { headline?: string } | undefined)?.headline ?? ''))))(choice, o.element);
  o.element.dataset.tactDecision = decision.decisionId;
  (o.whenVisible ?? defaultVisible)(o.element, () => report('impression'));
  let done = false;
  o.element.addEventListener('click', (e) => {
    if (done) return;
    done = true;
    const t = e.target as { closest?: (s: string) => unknown; dataset?: Record<string, string | undefined> } | null;
    const dismiss = t?.closest ? t.closest('[data-tact-dismiss]') : t?.dataset && 'tactDismiss' in t.dataset;
    report(dismiss ? 'dismissal' : 'click');
  });
  return decision;
}
