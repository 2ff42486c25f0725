import { type DocumentKind, unknownFields } from '../../config/document-kind.js';
import type { FieldProblem } from '../../errors/tact-error.js';
import { parseDuration } from '../../profiles/features/definition.js';
import { checkNamedEstimatesInUse } from '../../segments/estimate-uses.js';
import { checkDuration, checkName, checkNumber, checkText, checkUnique } from '../kind-checks.js';

/**
 * A rate learned from events: an exposure, and a success that answers it within a window.
 *
 * @example
 * { name: 'email_open', exposure: 'Email Delivered', success: 'Email Opened', within: '3d' }
 */
export interface RateDefinition {
  name: string;
  exposure: string;
  success: string;
  within: string;
  /** Largest 90% interval width still called established (default 0.1). */
  maxWidth?: number;
  description?: string;
}

/** The keys of a rate: another is refused, since saved it would be ignored (a misspelt `within` beside the real one is a window no one set). */
const RATE_FIELDS = ['name', 'exposure', 'success', 'within', 'maxWidth', 'description'] as const satisfies readonly (keyof RateDefinition)[];

/** A rate ready for the consumer. */
export interface CompiledRate {
  def: RateDefinition;
  windowMs: number;
  maxWidth: number;
}

/**
 * The rates in force (`rates` in tact.config.yaml).
 *
 * @example
 * settings.get(ratesKind)[0].windowMs; // 259200000 for within: '3d'
 */
export const ratesKind: DocumentKind<RateDefinition[], CompiledRate[]> = {
  kind: 'rates',
  configKey: 'rates',
  description: 'Rates learned online from exposure and success events (opens of deliveries, clicks of views), with the granularity ladder.',
  empty: [],
  check(body: unknown): FieldProblem[] {
    if (!Array.isArray(body)) return [{ field: 'rates', message: 'The rates must be a list of { name, exposure, success, within }.' }];
    const p: FieldProblem[] = [];
    body.forEach((r: Partial<RateDefinition> | null, i) => {
      const at = `rates[${i}]`;
      if (!r || typeof r !== 'object') return p.push({ field: at, message: 'Each rate must be an object with `name`, `exposure`, `success` and `within`.' });
      checkName(p, `${at}.name`, r.name);
      checkText(p, `${at}.exposure`, r.exposure, 'the name of the exposure event, e.g. "Email Delivered"');
      checkText(p, `${at}.success`, r.success, 'the name of the success event, e.g. "Email Opened"');
      checkDuration(p, `${at}.within`, r.within);
      checkNumber(p, `${at}.maxWidth`, r.maxWidth, 0.001, 1);
      p.push(...unknownFields(r, RATE_FIELDS, at));
      return undefined;
    });
    checkUnique(p, body, 'rates');
    return p;
  },
  // A rate a stored segment rule reads is not removed (nor renamed) under it (until 2026-12-06 it was, and the rule failed for everyone).
  checkStored: (body, documents) => checkNamedEstimatesInUse('rates', body, documents),
  compile: (defs) => defs.map((def) => ({ def, windowMs: parseDuration(def.within) as number, maxWidth: def.maxWidth ?? 0.1 })),
};
