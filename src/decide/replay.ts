import type { DocumentStore } from '../config/document-store.js';
import type { CompiledCatalog } from './catalog-compile.js';
import type { DecisionRecord, StageName } from './decision.js';
import type { CompiledPolicy } from './policy-compile.js';
import { playbookFor } from './playbook.js';
import { applicability } from './stages/applicability.js';
import { consent } from './stages/consent.js';
import { eligibility } from './stages/eligibility.js';
import { suitability } from './stages/suitability.js';
import type { Candidate, StageContext } from './stages/types.js';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const RULE_STAGES: readonly StageName[] = ['eligibility', 'applicability', 'suitability', 'consent'];

function revive(v: unknown): unknown {
  if (typeof v === 'string' && ISO.test(v)) return new Date(v);
  if (Array.isArray(v)) return v.map(revive);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, revive(x)]));
  return v;
}

const time = (v: unknown) => (typeof v === 'string' && ISO.test(v) ? new Date(v) : v);
const timesAt = (keys: readonly string[]) => (v: unknown) => {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return v;
  const o: Record<string, unknown> = { ...v };
  for (const k of keys) if (k in o) o[k] = time(o[k]);
  return o;
};
const eachOf = (one: (v: unknown) => unknown) => (v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, one(x)])) : v);
const asIs = (v: unknown) => v;
/**
 * Where a kept fact held a time (the rule variables' Dates, kept as ISO strings): a trait or a
 * consent is kept as the subject sent it, so a trait `createdAt` stays a string; an event's
 * `first` and `last`, a flag's `until` and `since`, `firstSeen`, `lastSeen` and a time feature
 * are times. By variable: [one member, the variable whole].
 */
const REVIVE: Record<string, [(v: unknown) => unknown, (v: unknown) => unknown]> = {
  traits: [asIs, asIs], consent: [asIs, asIs], accounts: [asIs, asIs], timezone: [asIs, asIs],
  firstSeen: [time, time], lastSeen: [time, time],
  events: [timesAt(['first', 'last']), eachOf(timesAt(['first', 'last']))],
  flags: [timesAt(['until', 'since']), eachOf(timesAt(['until', 'since']))],
  features: [time, eachOf(time)],
};

/**
 * The rule variables a decision saw, rebuilt from the fact values it kept (ISO times become
 * timestamps again where they were times; absent facts stay absent) plus its context and time.
 *
 * @example
 * varsFromRecord(record).features; // { orders: 3, purchased: ['sku-1'] }
 */
export function varsFromRecord(d: DecisionRecord, timeFeatures?: ReadonlySet<string>): Record<string, unknown> {
  const vars: Record<string, Record<string, unknown> | unknown> = { traits: {}, features: {}, events: {}, consent: {}, flags: {}, accounts: [], context: d.context, now: new Date(d.at) };
  // With the names of the time features (first_seen, last_seen) known, only those are times: a
  // `last_value` whose text looks like one stays text (until 2026-12-05 it became a Date, and a
  // rule comparing it with a string replayed differently from the decision).
  const feature = timeFeatures ? (name: string) => (timeFeatures.has(name) ? time : asIs) : () => time;
  for (const [path, value] of Object.entries(d.facts)) {
    const dot = path.indexOf('.');
    const head = dot < 0 ? path : path.slice(0, dot);
    if (head === 'context') continue;
    if (head === 'features' && dot >= 0) {
      (vars.features as Record<string, unknown>)[path.slice(dot + 1)] = feature(path.slice(dot + 1))(value);
      continue;
    }
    const back = REVIVE[head]?.[dot < 0 ? 1 : 0] ?? revive;
    if (dot < 0) vars[path] = back(value);
    else ((vars[head] ??= {}) as Record<string, unknown>)[path.slice(dot + 1)] = back(value);
  }
  return vars;
}

/**
 * The time features (`first_seen`, `last_seen`) of the features version in force at each moment,
 * read once from the stored versions: which kept feature values a replay reads back as times.
 *
 * @example
 * const timesAt = await timeFeaturesAt(store.documents); timesAt(record.at); // Set { 'last_view' }
 */
export async function timeFeaturesAt(documents: Pick<DocumentStore, 'history'>): Promise<(at: number) => ReadonlySet<string>> {
  const versions = (await documents.history('features', 1000)).map((v) => {
    const body = v.body as { name?: unknown; kind?: unknown }[] | undefined;
    const names = (Array.isArray(body) ? body : []).filter((f) => f?.kind === 'first_seen' || f?.kind === 'last_seen').map((f) => String(f.name));
    return { at: v.createdAt, names: new Set(names) };
  });
  const none: ReadonlySet<string> = new Set();
  // Newest first: the version in force at `at` is the newest written at or before it.
  return (at) => versions.find((v) => v.at <= at)?.names ?? none;
}

/**
 * Replays a logged decision's rule stages (eligibility, applicability, suitability, consent)
 * under the catalog and policy versions it was made with, from nothing but the facts it kept, and
 * lists every candidate whose verdict comes out differently. An empty list means the record
 * explains itself: its facts are enough to reach its verdicts again.
 *
 * @example
 * replayRules(record, catalogAtVersion, policyAtVersion).differences; // []
 */
export function replayRules(d: DecisionRecord, catalog: CompiledCatalog, policy: CompiledPolicy, timeFeatures?: ReadonlySet<string>): { checked: number; differences: { action: string; logged: string; replayed: string }[] } {
  const play = playbookFor(catalog, policy, d.catalogVersion, d.policyVersion);
  const placement = catalog.placements.get(d.placement);
  if (!placement) return { checked: 0, differences: [{ action: '*', logged: `placement ${d.placement}`, replayed: 'the placement is not in that catalog version' }] };
  const rules = play.rulebook.forPlacement(placement);
  const candidates: Candidate[] = placement.candidates.map((action) => ({ action, rules: rules.get(action.id)! }));
  const ctx = {
    now: d.at, vars: varsFromRecord(d, timeFeatures), policy, placement, facts: new Set<string>(),
    subject: { key: d.profileKey, identifier: d.subject, timezone: null, accounts: [], flags: new Set<string>() },
  } as unknown as StageContext;
  for (const stage of [eligibility, applicability, suitability, consent]) stage(candidates, ctx);
  const logged = new Map<string, string>();
  for (const g of d.excluded) for (const a of g.actions) logged.set(a, RULE_STAGES.includes(g.stage) ? `${g.stage}/${g.rule}` : 'passed');
  for (const s of d.scored) logged.set(s.action, 'passed');
  const differences = [];
  for (const c of candidates) {
    const replayed = c.out ? `${c.out.stage}/${c.out.rule}` : 'passed';
    const was = logged.get(c.action.id) ?? 'not a candidate';
    if (was !== replayed) differences.push({ action: c.action.id, logged: was, replayed });
  }
  return { checked: candidates.length, differences };
}
