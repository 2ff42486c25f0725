import type { DocumentStore, StoredDocument } from '../../config/document-store.js';
import type { DecisionRecord } from '../../decide/decision.js';
import { experimentsKind, type ExperimentsBody } from '../../measure/experiments-service/experiments-kind.js';

/** Versions of the experiments document read at once, newest first; older ones are read one by one when a decision predates them all. */
const PIN_HISTORY = 1000;

/**
 * Whether a logged decision's rank-1 content variant was pinned by its experiment arm (shown with
 * probability 1, src/decide/pipeline.ts `actionChoice`) rather than drawn. A record made since
 * 2026-12-03 says which variant its arm pinned (`experiment.variant`, null for none): that is read.
 * An older one names only its experiment and arm (and its policy and catalog versions), not the
 * experiments document's version, so its pin is found in the version in force by time: the newest whose `createdAt` (the store's
 * clock at the change) is at or before the decision's `at` — a pin added later, or only in another
 * version of the arm, does not count, and one removed since still does for the decisions made under
 * it. A decision dated before every version (its clock behind the store's, as in a simulation with
 * an injected clock) is read under the oldest. Not exact for a decision made by another process in
 * the moment before it reloaded a change (src/config/settings.ts: processes reload on a newer epoch).
 *
 * @example
 * const pinned = variantPins(store.documents);
 * await pinned(record); // true: its arm "pinned" showed the shoes' variant "a" to everyone
 */
export function variantPins(documents: DocumentStore): (d: DecisionRecord) => Promise<boolean> {
  const versionAt = experimentsAt(documents);
  const pins = new Map<number, Set<string>>();
  const pinsOf = (doc: StoredDocument): Set<string> => {
    let set = pins.get(doc.version);
    if (set) return set;
    pins.set(doc.version, (set = new Set()));
    for (const [id, e] of Object.entries((doc.body ?? {}) as ExperimentsBody)) {
      for (const a of e?.arms ?? []) if (a?.variant) set.add(JSON.stringify([id, a.id, a.variant.action, a.variant.variant]));
    }
    return set;
  };
  return async (d) => {
    const c = d.choices[0];
    if (!d.experiment || c?.variant === undefined) return false;
    // Recorded with the decision (since 2026-12-03): exact, whatever version a process had loaded.
    const recorded = d.experiment.variant;
    if (recorded !== undefined) return recorded !== null && recorded.action === c.action && recorded.variant === c.variant;
    const doc = await versionAt(d.at);
    return !!doc && pinsOf(doc).has(JSON.stringify([d.experiment.id, d.experiment.arm, c.action, c.variant]));
  };
}

/** The experiments document in force at a time: the highest version dated at or before it, else the oldest; undefined when none was stored. */
function experimentsAt(documents: DocumentStore): (at: number) => Promise<StoredDocument | undefined> {
  let known: StoredDocument[] | undefined;
  return async (at) => {
    known ??= await documents.history(experimentsKind.kind, PIN_HISTORY);
    for (let i = 0; ; i++) {
      if (i === known.length) {
        const oldest = known[i - 1];
        const earlier = oldest && oldest.version > 1 ? await documents.get(experimentsKind.kind, oldest.version - 1) : undefined;
        if (!earlier) return oldest;
        known.push(earlier);
      }
      if (known[i].createdAt <= at) return known[i];
    }
  };
}
