import type { DocumentKind } from '../../config/document-kind.js';
import type { FieldProblem } from '../../errors/tact-error.js';
import { checkFeature, compileFeature, type CompiledFeature, type FeatureDefinition } from './definition.js';

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
  compile: (defs) => defs.map(compileFeature),
};
