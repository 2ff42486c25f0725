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
  const v = variant === null ? null : action.def.variants?.find((x) => x.id === variant);
  const seen = { name: action.def.name, properties: action.def.properties ?? {}, customerReason: action.def.customerReason ?? null, variant: v ? { id: v.id, content: v.content ?? {} } : variant };
  return createHash('sha256').update(canonical(seen)).digest('hex');
}
