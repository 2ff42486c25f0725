import { purposeKey, type PurposeConsent } from './profile-state.js';

/** The purpose rules never see: the evaluator tells an object's type by its `constructor` (profile-view.ts). */
const CEL_GUARDED = 'constructor';

/**
 * The `consent` variable of CEL rules: each purpose granted or not, under the name the profile
 * keeps it (trimmed, NFC), read the way the consent stage matches purposes (purposeKey) — so
 * `consent.advertising`, `consent["ADVERTISING"]`, `has(consent.advertising)` and
 * `"advertising" in consent` read the purpose the client sent as `Advertising`. Listing it
 * (`size(consent)`, `consent.all(k, …)`, a decision's facts) gives each purpose once, as kept. A
 * purpose named `constructor` is left out, and one named `Constructor` is read by that spelling only. `consent` is the state's, folded one entry a
 * purpose (consentByPurpose). Every builder of rule variables goes through ruleVars, which uses this.
 *
 * @example
 * const consent = consentVar({ Advertising: { granted: true, at: 1, messageId: 'm' } });
 * compileRule('consent.advertising')({ consent }); // true
 */
export function consentVar(consent: Record<string, PurposeConsent>): Record<string, boolean> {
  const kept: Record<string, boolean> = {};
  for (const [name, c] of Object.entries(consent)) if (name !== CEL_GUARDED) kept[name] = c.granted;
  // Each kept name by its purpose key, made at the first spelling that is not a kept name itself
  // (rule variables are built for every decision; most rules read no consent, or its kept spelling).
  let byKey: Map<string, string> | undefined;
  const keyed = () => {
    if (byKey) return byKey;
    byKey = new Map();
    for (const name of Object.keys(kept)) {
      const key = purposeKey(name);
      if (key !== CEL_GUARDED && !byKey.has(key)) byKey.set(key, name);
    }
    return byKey;
  };
  // The kept name a rule's spelling stands for, when it is not one itself.
  const alias = (k: string | symbol): string | undefined => (typeof k !== 'string' || Object.hasOwn(kept, k) ? undefined : keyed().get(purposeKey(k)));
  // The evaluator reads a map's member by Object.hasOwn then `[k]` (and lists it by Object.keys): both answer to any spelling.
  return new Proxy(kept, {
    getOwnPropertyDescriptor(t, k) {
      const name = alias(k);
      return name === undefined ? Reflect.getOwnPropertyDescriptor(t, k) : { value: t[name], writable: true, enumerable: false, configurable: true };
    },
    get(t, k, receiver) {
      const name = alias(k);
      return name === undefined ? Reflect.get(t, k, receiver) : t[name];
    },
    has(t, k) {
      return alias(k) !== undefined || Reflect.has(t, k);
    },
  });
}
