import { createHash } from 'node:crypto';
import type { CompiledAction } from '../catalog-compile.js';

/** JSON with every object's keys in order: the same content written in another key order reads the same. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().filter((k) => o[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

/**
 * A fingerprint (SHA-256, hex) of what a review of a high-stakes action puts before a person and
 * the customer then receives: the action's name, its `properties` (the terms a channel reads), its
 * `customerReason`, and the content variant's id and content (`variant` null: none). Rules, value,
 * cost and other actions are not in it: editing them does not change what was approved.
 *
 * @example
 * reviewedContent(catalog.actions.get('loan-offer')!, 'std'); // '3f1c…' (64 hex digits)
 */
export function reviewedContent(action: CompiledAction, variant: string | null): string {
  // Every decision that consults a review asks again: a compiled action is one catalog version's,
  // never edited, so its fingerprints are kept with it (and go with that version).
  let byVariant = fingerprints.get(action);
  if (!byVariant) fingerprints.set(action, (byVariant = new Map()));
  let hash = byVariant.get(variant);
  if (hash === undefined) {
    const v = variant === null ? null : action.def.variants?.find((x) => x.id === variant);
    const seen = { name: action.def.name, properties: action.def.properties ?? {}, customerReason: action.def.customerReason ?? null, variant: v ? { id: v.id, content: v.content ?? {} } : variant };
    hash = createHash('sha256').update(canonical(seen)).digest('hex');
    byVariant.set(variant, hash);
  }
  return hash;
}

const fingerprints = new WeakMap<CompiledAction, Map<string | null, string>>();

/**
 * Whether a review is still of the action's content as the catalog has it now (`action`: the
 * catalog's, undefined once removed): its variant still offered (or, reviewed without one, the
 * action still without variants) and, for a review that recorded it, the same fingerprint. An
 * approval delivers only then, and a pending review counts only then: otherwise the reviewer
 * would weigh content no decision delivers (its review is `superseded`).
 *
 * @example
 * isReviewedContent(hold, catalog.actions.get(hold.action)); // false: the terms were edited since
 */
export function isReviewedContent(h: { variant: string | null; contentHash?: string | null }, action: CompiledAction | undefined): boolean {
  if (!action) return false;
  const there = h.variant === null ? !action.declaresVariants : action.variants.some((v) => v.id === h.variant);
  return there && (!h.contentHash || h.contentHash === reviewedContent(action, h.variant));
}
