import type { DocumentKind } from '../../config/document-kind.js';
import type { FieldProblem } from '../../errors/tact-error.js';
import { checkFeature, compileFeature, featureHash, type CompiledFeature, type FeatureDefinition } from './definition.js';

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
  history: 1000,
  compile: (defs, versions = []) => defs.map((d) => {
    const f = compileFeature(d);
    const since = inForceAgainSince(f, versions);
    return since === undefined ? f : compileFeature(d, since);
  }),
};

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
