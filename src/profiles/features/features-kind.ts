import type { DocumentKind } from '../../config/document-kind.js';
import type { DocumentStore, StoredDocument } from '../../config/document-store.js';
import { decisionFeatureUses } from '../../decide/decision-names.js';
import { recommendationFeatureUses } from '../../decide/recommend/recommend-names.js';
import type { FieldProblem } from '../../errors/tact-error.js';
import { namesRead } from '../../rules/rule-names.js';
import type { SegmentsDoc } from '../../segments/segments-kind.js';
import type { LifecycleDoc } from '../lifecycle.js';
import { definedFeatures, featureHolds } from '../rule-scope.js';
import { FEATURE_KINDS, checkFeature, compileFeature, featureHash, type CompiledFeature, type FeatureDefinition, type FeatureKind } from './definition.js';

/** The computed feature definitions in force. */
export const featuresKind: DocumentKind<FeatureDefinition[], CompiledFeature[]> = {
  kind: 'features',
  configKey: 'features',
  description: 'Computed features updated on every event (counts, sums, means, decayed counts, unique sets …).',
  empty: [],
  check(body: unknown): FieldProblem[] {
    if (!Array.isArray(body)) return [{ field: 'features', message: 'The features must be a list of feature definitions.' }];
    const problems = body.flatMap((f, i) => checkFeature(f, `features[${i}]`));
    const names = body.map((f) => (f as FeatureDefinition)?.name);
    names.forEach((n, i) => {
      if (names.indexOf(n) !== i) problems.push({ field: `features[${i}].name`, message: `The feature name \`${n}\` is used twice.` });
    });
    return problems;
  },
  checkStored: checkFeaturesInUse,
  history: 1000,
  compile: (defs, versions = []) => defs.map((d) => {
    const f = compileFeature(d);
    const since = inForceAgainSince(f, versions);
    return since === undefined ? f : compileFeature(d, since);
  }),
};

/**
 * The features in force just before version `version` of the features document and at it, as
 * every process compiles them (with the same history): what that change brought in, whatever this
 * process has loaded since — another process may have changed the features again meanwhile.
 *
 * @example
 * const [before, after] = await featuresAround(store.documents, change.version);
 */
export async function featuresAround(docs: DocumentStore, version: number): Promise<[CompiledFeature[], CompiledFeature[]]> {
  return featuresAroundIn((await docs.history('features', featuresKind.history! + 16)) as StoredDocument<FeatureDefinition[]>[], version);
}

/** featuresAround over versions already read (newest first; those after `version` are left out). */
export function featuresAroundIn(stored: readonly Pick<StoredDocument<FeatureDefinition[]>, 'version' | 'body'>[], version: number): [CompiledFeature[], CompiledFeature[]] {
  const history = stored.filter((d) => d.version <= version);
  const at = (v: number) => {
    const upto = history.filter((d) => d.version <= v);
    return featuresKind.compile(upto[0]?.version === v ? upto[0].body : featuresKind.empty, upto.slice(0, featuresKind.history));
  };
  return [at(version - 1), at(version)];
}

/**
 * The version from which a definition is in force again after a time without it (removed, or
 * defined otherwise), or undefined when this is its first time. Profiles untouched meanwhile
 * still hold states computed in its first time; a definition in force again is computed apart
 * from them (under its own hash), so its backfill does not count those events twice.
 */
function inForceAgainSince(f: CompiledFeature, versions: readonly { version: number; body: FeatureDefinition[] }[]): number | undefined {
  const holds = (body: FeatureDefinition[]) => Array.isArray(body) && body.some((d) => d?.name === f.def.name && featureHash(d) === f.hash);
  let i = 0;
  while (i < versions.length && holds(versions[i].body)) i++;
  if (i === 0 || i === versions.length) return undefined;
  return versions.slice(i + 1).some((v) => holds(v.body)) ? versions[i - 1].version : undefined;
}

/**
 * A feature that a stored segment, lifecycle, catalog, policy or recommendations rule reads (or a
 * bandit's context, or the recommendations' `history` / `purchased`) cannot be removed: the rule
 * would never hold again (or hold for everyone, under a `!has(…)`), silently. Nor can its kind
 * change so that it holds another shape of value (a number, a timestamp, a list, whatever the
 * events sent: featureHolds): `features.orders > 2.0` over a list never holds either. Each use
 * is a problem naming the rule; the operator changes it first (or defines the new kind under a
 * new name and moves the rules to it). A name no stored rule reads, or one that was not defined
 * before (a rule stored before names were checked), does not stop the change. (In a config file
 * the documents read here are the file's own changed sections where it has them: a file may
 * change the rule and remove the feature together — Settings.applyFile.)
 *
 * @example
 * await checkFeaturesInUse([], store.documents);
 * // [{ field: 'features', message: 'The feature `orders` is read by the segment `buyers` (`audiences[0].when` of the segments): change that first, then remove the feature, or change both at once (PUT /v1/config).' }]
 */
export async function checkFeaturesInUse(body: FeatureDefinition[], documents: Pick<DocumentStore, 'latest'>): Promise<FieldProblem[]> {
  const before = new Map(definedFeatures((await documents.latest('features'))?.body).map((d) => [d.name, d]));
  const kept = new Set(body.map((d) => d.name));
  const removed = new Set([...before.keys()].filter((n) => !kept.has(n)));
  // A kind of another shape under the same name, with its index (a kind not known, stored before kinds were checked, is left alone).
  const reshaped = new Map<string, { at: number; from: FeatureKind; to: FeatureKind }>();
  body.forEach((d, at) => {
    const from = before.get(d.name)?.kind;
    if (from && FEATURE_KINDS.includes(from) && d.kind !== from && featureHolds(d.kind) !== featureHolds(from)) reshaped.set(d.name, { at, from, to: d.kind });
  });
  const read = new Set([...removed, ...reshaped.keys()]);
  if (read.size === 0) return [];
  return (await featureUses(read, documents)).map((u) => {
    const r = reshaped.get(u.feature);
    if (!r) return { field: 'features', message: `The feature \`${u.feature}\` is read by ${u.by}: change that first, then remove the feature, or change both at once (PUT /v1/config).` };
    return {
      field: `features[${r.at}].kind`,
      message: `The feature \`${u.feature}\` is read by ${u.by} as a ${r.from} feature, which holds ${featureHolds(r.from)}; a ${r.to} feature holds ${featureHolds(r.to)}: define the ${r.to} feature under a new name and move the rules to it (then remove this one, or all in one change: PUT /v1/config), or change the rule first.`,
    };
  });
}

/** Who, in the stored segments, lifecycle, decisions and recommendations, reads each of the features `names`, in that order. */
async function featureUses(names: ReadonlySet<string>, documents: Pick<DocumentStore, 'latest'>): Promise<{ feature: string; by: string }[]> {
  const uses: { feature: string; by: string }[] = [];
  const rules = (list: unknown, at: string, what: string, doc: string) => {
    if (!Array.isArray(list)) return;
    list.forEach((r: { name?: unknown; when?: unknown } | null, i) => {
      if (typeof r?.when !== 'string') return;
      for (const f of namesRead(r.when, 'features')) if (names.has(f)) uses.push({ feature: f, by: `the ${what} \`${String(r.name)}\` (\`${at}[${i}].when\` of the ${doc})` });
    });
  };
  const segments = (await documents.latest<SegmentsDoc>('segments'))?.body;
  rules(segments?.audiences, 'audiences', 'segment', 'segments');
  const micro = segments?.microSegments?.features;
  if (Array.isArray(micro)) micro.forEach((f, i) => names.has(f) && uses.push({ feature: f, by: `the micro-segments (\`microSegments.features[${i}]\` of the segments)` }));
  const lifecycle = (await documents.latest<LifecycleDoc>('lifecycle'))?.body;
  rules(lifecycle?.stages, 'stages', 'lifecycle stage', 'lifecycle');
  rules(lifecycle?.valueTiers, 'valueTiers', 'value tier', 'lifecycle');
  // The decisions' rules (catalog, policy) and the recommendations' lists and rules (src/decide).
  uses.push(...(await decisionFeatureUses(names, documents)), ...(await recommendationFeatureUses(names, documents)));
  return uses;
}
