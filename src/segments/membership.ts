import type { Estimate } from '../learn/estimate.js';
import type { FeatureDefinition } from '../profiles/features/definition.js';
import { type LifecycleNames, ruleScope } from '../profiles/rule-scope.js';
import { type CompiledRule, testRule, variablePaths } from '../rules/cel.js';
import type { Shape } from '../rules/rule-names.js';
import type { SegmentTransition } from './segment-store.js';

/**
 * The entries and exits that bring a subject's stored membership (`current`) to the segments
 * its rules now admit (`desired`). A segment no longer defined is left with reason `removed`.
 *
 * @example
 * membershipChanges('p1', ['vip'], ['lapsed'], new Set(['vip', 'lapsed']), { at, seq: 9, version: 2, reason: 'event' });
 * // [{ segment: 'vip', kind: 'entry', … }, { segment: 'lapsed', kind: 'exit', … }]
 */
export function membershipChanges(
  profileId: string,
  desired: readonly string[],
  current: readonly string[],
  defined: ReadonlySet<string>,
  ctx: { at: number; seq: number; version: number; reason: string },
): SegmentTransition[] {
  const want = new Set(desired);
  const have = new Set(current);
  const out: SegmentTransition[] = [];
  for (const s of desired) if (!have.has(s)) out.push({ segment: s, profileId, kind: 'entry', at: ctx.at, seq: ctx.seq, version: ctx.version, reason: ctx.reason });
  for (const s of current) {
    if (!want.has(s)) out.push({ segment: s, profileId, kind: 'exit', at: ctx.at, seq: ctx.seq, version: ctx.version, reason: defined.has(s) ? ctx.reason : 'removed' });
  }
  return out;
}

const readsCache = new Map<string, Map<string, boolean>>();

/**
 * Whether a segment rule reads the variable `name` (`estimates`, `microSegment`), told from its
 * parse tree rather than its text: `features.estimates_requested` reads no estimate, and a rule
 * wrongly taken to read one is answered from the stored membership, a moment behind the event.
 * A use the tree cannot tell (the whole variable, a computed key) counts as reading it.
 *
 * @example
 * ruleReads('estimates.rates.email_open.value > 0.3', 'estimates'); // true
 * ruleReads('features.estimates_requested >= 1.0', 'estimates'); // false
 */
export function ruleReads(when: string, name: string): boolean {
  if (!when.includes(name)) return false;
  let byName = readsCache.get(when);
  if (!byName) {
    // Rules are a handful per segments version: the cache is only emptied against a leak.
    if (readsCache.size >= 10_000) readsCache.clear();
    readsCache.set(when, (byName = new Map()));
  }
  let reads = byName.get(name);
  if (reads === undefined) {
    const paths = variablePaths(when, name);
    reads = paths === undefined || paths.length > 0;
    byName.set(name, reads);
  }
  return reads;
}

/**
 * Whether a segment rule admits a subject, with why it could not be evaluated. While no
 * micro-segment applies (none is live, or the live one needs retraining) `microSegment` is left out
 * of `vars`, so the rule's parts on it are unknown: it holds only where it holds whatever the
 * micro-segment (`microSegment == 1 || features.vip`), and `microSegment != 0` admits no one —
 * as null it would admit everyone. Such an unknown is no failure of the rule: its `error` is
 * undefined; a failure the micro-segment does not cause (the rule fails as well with a null one)
 * is kept.
 *
 * @example
 * admits(compileRule('microSegment != 0'), 'microSegment != 0', { features: {} }); // { pass: false }
 */
export function admits(rule: CompiledRule, when: string, vars: Record<string, unknown>): { pass: boolean; error?: string } {
  const r = testRule(rule, vars);
  if (!r.error || Object.hasOwn(vars, 'microSegment') || !ruleReads(when, 'microSegment')) return r;
  return testRule(rule, { ...vars, microSegment: null }).error ? r : { pass: false };
}

/** An estimate as a CEL value: unbounded ends and undefined values become null. */
export interface EstimateVar {
  value: number | null;
  low: number | null;
  high: number | null;
  level: number;
  evidence: number;
  source: string;
  status: string;
}

/**
 * The `estimates` variable segment rules see:
 * `estimates.baselines.<metric>`, `estimates.rates.<rate>`, `estimates.sendTime` (with its `slot`),
 * each with value, low, high, level, evidence, source and status.
 *
 * @example
 * estimateVars([{ model: 'rate', key: 'email_open', estimate }]); // { baselines: {}, rates: { email_open: { value: 0.31, … } }, sendTime: null }
 */
export function estimateVars(list: { model: string; key: string; estimate: Estimate; detail?: Record<string, unknown> }[]): Record<string, unknown> {
  const out: { baselines: Record<string, EstimateVar>; rates: Record<string, EstimateVar>; sendTime: (EstimateVar & { slot: number }) | null } = { baselines: {}, rates: {}, sendTime: null };
  for (const x of list) {
    const v = asVar(x.estimate);
    if (x.model === 'baseline') out.baselines[x.key] = v;
    else if (x.model === 'rate') out.rates[x.key] = v;
    else if (x.model === 'send-time') out.sendTime = { ...v, slot: Number(x.detail?.slot ?? 0) };
  }
  return out;
}

const fin = (x: number) => (Number.isFinite(x) ? x : null);
const asVar = (e: Estimate): EstimateVar => ({ value: fin(e.value), low: fin(e.low), high: fin(e.high), level: e.level, evidence: e.evidence, source: e.source, status: e.status });

const estimateFields = (extra: Record<string, Shape> = {}): Shape => ({
  kind: 'names', noun: 'field of an estimate', plural: 'fields of an estimate',
  names: { ...Object.fromEntries(['value', 'low', 'high', 'level', 'evidence', 'source', 'status'].map((k) => [k, { kind: 'value', what: k === 'source' || k === 'status' ? 'a string' : 'a number' } as Shape])), ...extra },
});

/**
 * What a segment rule's variables hold (the profile's facts and `lifecycle` — its stage and tier,
 * one of `lifecycle`'s names —, {@link estimateVars}, `microSegment`),
 * for the check that it reads only names that exist: `estimates.rates.<rate>` a rate configured,
 * `estimates.baselines.<metric>` a metric (estimate-names.ts; until 2026-12-06 neither was checked,
 * and a rule on a rate not configured failed for every subject).
 *
 * @example
 * nameProblem('estimates.rates.email_open.valu > 0.3', 'audiences[0].when', segmentScope(features, { rates: ['email_open'], metrics: [] })); // '… did you mean `estimates.rates.email_open.value`? …'
 */
export function segmentScope(features: readonly Pick<FeatureDefinition, 'name' | 'kind'>[], configured: { rates: readonly string[]; metrics: readonly string[] }, lifecycle: LifecycleNames = { stages: [], valueTiers: [] }): Record<string, Shape> {
  const each = (names: readonly string[]): Record<string, Shape> => Object.fromEntries(names.map((n) => [n, estimateFields()]));
  return {
    ...ruleScope(features, lifecycle),
    estimates: {
      kind: 'names', noun: 'kind of estimate', plural: 'kinds of estimate',
      names: {
        baselines: { kind: 'names', noun: 'configured metric (`metrics`)', plural: 'metrics', names: each(configured.metrics) },
        rates: { kind: 'names', noun: 'configured rate (`rates`)', plural: 'rates', names: each(configured.rates) },
        sendTime: estimateFields({ slot: { kind: 'value', what: 'a number' } }),
      },
    },
    microSegment: { kind: 'value', what: 'a number (the index of the micro-segment)' },
  };
}
