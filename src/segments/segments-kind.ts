import { type DocumentKind, unknownFields } from '../config/document-kind.js';
import type { DocumentStore } from '../config/document-store.js';
import type { FieldProblem } from '../errors/tact-error.js';
import { checkCel, checkName, checkNumber, checkUnique, isObject } from '../models/kind-checks.js';
import { definedFeatures, lifecycleNames } from '../profiles/rule-scope.js';
import { compileRule, type CompiledRule } from '../rules/cel.js';
import { nameProblem, notDefined } from '../rules/rule-names.js';
import { configuredEstimates, sendTimeProblem, untrainedEstimateWarnings } from './estimate-names.js';
import { segmentScope } from './membership.js';
import { comparisonProblem } from '../rules/rule-types.js';
import { valueProblem } from '../rules/rule-values.js';

/**
 * Operator-defined segments (CEL over a profile's facts and estimates), and the features learned
 * micro-segments are clustered on.
 *
 * @example
 * { audiences: [{ name: 'big_spenders', when: 'features.revenue >= 500.0' },
 *               { name: 'engaged_openers', when: 'estimates.rates.email_open.value > 0.3' }],
 *   microSegments: { features: ['orders', 'revenue', 'product_views_7d'], k: 8 } }
 */
export interface SegmentsDoc {
  audiences?: { name: string; when: string; description?: string }[];
  microSegments?: { features: string[]; k?: number; minSubjects?: number };
}

/**
 * The keys of an audience and of the micro-segments: another is refused, since saved it would be
 * ignored (a misspelt `when` is no rule; a misspelt `k` clusters into 8).
 */
const AUDIENCE_FIELDS = ['name', 'when', 'description'] as const satisfies readonly (keyof NonNullable<SegmentsDoc['audiences']>[number])[];
const MICRO_SEGMENT_FIELDS = ['features', 'k', 'minSubjects'] as const satisfies readonly (keyof NonNullable<SegmentsDoc['microSegments']>)[];

/** A segment ready for evaluation. */
export interface CompiledAudience {
  name: string;
  when: string;
  description?: string;
  rule: CompiledRule;
}

/**
 * Segments compiled: rules ready to evaluate, micro-segment settings with defaults.
 *
 * @example
 * settings.get(segmentsKind).audiences.map((a) => a.name);
 */
export interface CompiledSegments {
  audiences: CompiledAudience[];
  microSegments: { features: string[]; k: number; minSubjects: number } | null;
}

/**
 * A segment rule that reads a feature not defined (`features.purchses`) never holds, or holds for
 * everyone under a `!has(…)`; micro-segments on one are never trained; one that compares a value
 * of a known type with one of another (`features.orders > "x"`, `microSegment == "x"`:
 * rule-types.ts) fails or answers the same for everyone; so does one on a rate or a metric not
 * configured (`estimates.rates.nope`), or on send time while none is (`estimates.sendTime`: no
 * engagement events); so does one comparing `lifecycle.stage` (`valueTier`) with a name the
 * lifecycle does not define. Refused when written, against the features, rates, metrics and
 * lifecycle stored (a config file's own in place: Settings.applyFile), naming the rule and the
 * closest defined name or the two values compared.
 *
 * @example
 * await checkSegmentNames({ audiences: [{ name: 'repeat', when: 'size(features.purchses) > 2' }] }, store.documents);
 * // [{ field: 'audiences[0].when', message: 'The rule in `audiences[0].when` reads `features.purchses`, … did you mean `features.purchases`? …' }]
 */
export async function checkSegmentNames(body: SegmentsDoc, documents: Pick<DocumentStore, 'latest'>): Promise<FieldProblem[]> {
  const configured = await configuredEstimates(documents);
  const scope = segmentScope(definedFeatures((await documents.latest('features'))?.body), configured, lifecycleNames((await documents.latest('lifecycle'))?.body));
  const p: FieldProblem[] = [];
  (body.audiences ?? []).forEach((a, i) => {
    const field = `audiences[${i}].when`;
    const problem = nameProblem(a.when, field, scope) ?? sendTimeProblem(a.when, field, configured.sendTime) ?? comparisonProblem(a.when, field, scope) ?? valueProblem(a.when, field, scope);
    if (problem) p.push({ field, message: problem });
  });
  const features = scope.features;
  (body.microSegments?.features ?? []).forEach((name, i) => {
    const field = `microSegments.features[${i}]`;
    if (features.kind === 'names' && !Object.hasOwn(features.names, name)) p.push({ field, message: `The \`${field}\` names \`${name}\`, which is not ${notDefined(name, features)}` });
  });
  return p;
}

/**
 * Segments (`segments` in tact.config.yaml).
 *
 * @example
 * settings.get(segmentsKind).audiences[0].rule(vars);
 */
export const segmentsKind: DocumentKind<SegmentsDoc, CompiledSegments> = {
  kind: 'segments',
  configKey: 'segments',
  fields: ['audiences', 'microSegments'] satisfies (keyof SegmentsDoc)[],
  description: 'Segments as CEL rules over facts and estimates (real-time membership, entries and exits), and the features of learned micro-segments.',
  empty: {},
  check(body: unknown): FieldProblem[] {
    if (!isObject(body)) return [{ field: 'segments', message: 'The segments must be an object with `audiences` and/or `microSegments`.' }];
    const b = body as SegmentsDoc;
    const p: FieldProblem[] = [];
    if (b.audiences !== undefined && !Array.isArray(b.audiences)) p.push({ field: 'audiences', message: 'The `audiences` must be a list of { name, when }.' });
    const list = Array.isArray(b.audiences) ? b.audiences : [];
    list.forEach((a, i) => {
      checkName(p, `audiences[${i}].name`, a?.name);
      checkCel(p, `audiences[${i}].when`, a?.when);
      if (isObject(a) && a.description !== undefined && typeof a.description !== 'string') p.push({ field: `audiences[${i}].description`, message: `The \`audiences[${i}].description\` must be text.` });
      p.push(...unknownFields(a, AUDIENCE_FIELDS, `audiences[${i}]`));
    });
    checkUnique(p, list, 'audiences');
    if (b.microSegments !== undefined) {
      const m = b.microSegments;
      if (!isObject(m) || !Array.isArray(m.features) || m.features.length === 0 || m.features.some((f) => typeof f !== 'string' || !f)) {
        p.push({ field: 'microSegments.features', message: 'The `microSegments.features` must be a non-empty list of feature names.' });
      }
      if (isObject(m) && Array.isArray(m.features)) {
        m.features.forEach((f, i) => {
          const first = m.features.indexOf(f);
          if (typeof f === 'string' && first !== i) p.push({ field: `microSegments.features[${i}]`, message: `The \`microSegments.features[${i}]\` names \`${f}\` again (it is \`microSegments.features[${first}]\`): a feature named twice would weigh twice in the clustering.` });
        });
      }
      checkNumber(p, 'microSegments.k', isObject(m) ? m.k : undefined, 2, 200, true);
      checkNumber(p, 'microSegments.minSubjects', isObject(m) ? m.minSubjects : undefined, 1, 1e7, true);
      p.push(...unknownFields(m, MICRO_SEGMENT_FIELDS, 'microSegments'));
    }
    return p;
  },
  checkStored: checkSegmentNames,
  // A rule on a rate or metric configured but not trained yet is taken, and told what it reads meanwhile.
  warnStored: (body, _documents, lookups) => untrainedEstimateWarnings(body, lookups),
  compile: (b) => ({
    audiences: (b.audiences ?? []).map((a) => ({ ...a, rule: compileRule(a.when) })),
    microSegments: b.microSegments ? { features: b.microSegments.features, k: b.microSegments.k ?? 8, minSubjects: b.microSegments.minSubjects ?? 50 } : null,
  }),
};
