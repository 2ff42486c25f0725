import type { FastifyInstance } from 'fastify';
import { errorSchema } from '../../collect/schemas.js';
import { subjectWarningsSchema } from '../../decide/routes/schemas.js';
import { validationError } from '../../errors/tact-error.js';
import { mergeRulesKind } from '../../identity/merge-rules-kind.js';
import { findProfile, subjectWarnings } from '../../profiles/lookup.js';
import type { ProfileState } from '../../profiles/profile-state.js';
import { requireKey } from '../../server/auth.js';
import type { Tact } from '../../server/tact.js';
import { DEFAULT_HALF_EVIDENCE, DEFAULT_MAX_WEIGHT } from '../../learn/recommend/rerank.js';
import { rerankListProblems } from './rerank-list.js';
import { estimateViewSchema } from '../estimates/estimate-schema.js';
import { estimateView } from '../estimates/estimate-view.js';
import type { Estimate } from '../../learn/estimate.js';

const open = { additionalProperties: true } as const;
const str = { type: 'string' } as const;
const num = { type: 'number' } as const;
const int = { type: 'integer' } as const;

/*
 * The answers, as JSON schemas for /openapi.json. Fastify serializes through them and keeps only
 * the fields a schema lists unless it is open, so every object here is open; a field the handler
 * may leave out is not `required` (the serializer refuses an answer without a required field).
 */

/** Whom the answer is for. */
const subjectAnswer = {
  type: 'object',
  ...open,
  required: ['id', 'known'],
  description: 'The subject asked about.',
  properties: {
    id: { type: ['string', 'null'], description: 'Tact\'s profile id; null when no profile holds the identifier (answered as a new visitor).' },
    known: { type: 'boolean', description: 'Whether a profile holds the identifier.' },
  },
} as const;

const modelVersion = { type: ['string', 'null'], description: 'The live `recommendations` version (`recommendations@3`); null when none is trained.' } as const;

/** Rules that could not be evaluated on some items (item-filter.ts RuleErrors). */
const ruleErrors = {
  type: 'array',
  description: 'Present when a rule could not be evaluated on some items (those items are left out): per rule, on how many of the items it was asked about, and why.',
  items: {
    type: 'object',
    ...open,
    required: ['rule', 'failed', 'asked', 'error', 'items'],
    properties: {
      rule: { type: 'string', description: 'Where the rule is written: `rule`, `placements.<name>.rule` or `filters.rule`.' },
      failed: { ...int, description: 'Items it could not be evaluated on.' },
      asked: { ...int, description: 'Items it was asked about.' },
      error: { type: 'string', description: 'Why, for the first item it failed on ("No such key: price").' },
      items: { type: 'array', items: str, description: 'Some of the items it failed on (at most 10).' },
    },
  },
} as const;

const note = { type: 'string', description: 'Present when something the answer rests on is missing: no model trained yet (POST /v1/rerank too, since 2026-12-05: the list then keeps the caller\'s order), no item that passed the business filters, features the settings name that are not defined, rules that could not be evaluated — in sentences.' } as const;

/** POST /v1/recommendations: 200. */
const recommendationsAnswer = {
  type: 'object',
  ...open,
  required: ['subject', 'placement', 'items', 'modelVersion', 'status'],
  properties: {
    subject: subjectAnswer,
    placement: { type: ['string', 'null'], description: 'The placement asked for; null when none was.' },
    items: {
      type: 'array',
      description: 'At most `n` items, best first: personal ones (from the subject\'s history) before popular ones filling the rest.',
      items: {
        type: 'object',
        ...open,
        required: ['id', 'score', 'source', 'explanation', 'because'],
        properties: {
          id: str,
          score: { ...num, description: 'Personal: the item\'s similarity score to the subject\'s history. Popular: the share of the subjects the model was trained on who interacted with it.' },
          source: { type: 'string', enum: ['personal', 'population'], description: 'Whether it comes from the subject\'s history or from popularity.' },
          explanation: { type: 'string', description: '"because you viewed X", "because you bought X", "popular with other customers".' },
          because: { type: ['string', 'null'], description: 'The item of the subject\'s history it is recommended for; null for a popular item.' },
          interval: {
            type: 'object',
            ...open,
            required: ['low', 'high', 'level', 'evidence'],
            description: 'A 90% interval of `score`. Personal: a bootstrap over the subject\'s history, `evidence` the history items supporting it. Popular: the Wilson interval of its share, `evidence` the subjects trained on.',
            properties: { low: num, high: num, level: num, evidence: int },
          },
          estimate: {
            ...estimateViewSchema,
            description: 'Since 2026-12-06: `score` as the inferred number it is, never bare — `interval` with the model and version, the time its evidence last changed and `status`: a personal score is `established` once its interval is no wider than the score (the history backs it), `learning` before (a low end of 0 always is); a popular share is `learning` (nothing personal yet). What a decision logs as the item\'s estimate.',
          },
        },
      },
    },
    modelVersion,
    status: { type: 'string', enum: ['personal', 'popular', 'filtered', 'learning'], description: '`personal` when an item comes from the subject\'s history, `popular` when all are popular ones (`fallback` says why), `filtered` when a model is trained but no item passed the business filters (no items; `note` says which filters were in force; until 2026-12-05 this said `popular`), `learning` when no model is trained yet (no items).' },
    fallback: {
      type: 'object',
      ...open,
      required: ['reason', 'history', 'why'],
      description: 'Present with `status` `popular` (since 2026-12-06): why every item is a popular one.',
      properties: {
        reason: { type: 'string', enum: ['no known history', 'history leads nowhere', 'filtered'], description: '`no known history`: none of the subject\'s history is an item the model knows; `history leads nowhere`: the items it knows have no neighbours; `filtered`: the business filters left out every item the history leads to (`leftOut` says which).' },
        history: { ...int, description: 'The subject\'s history items the model knows.' },
        leadsTo: { ...int, description: 'With `filtered`: the items the history leads to.' },
        leftOut: {
          type: 'object', ...open,
          description: 'With `filtered`: how many of them each filter left out, the first that applies counting — `purchased`, `seen` (already in the history, `excludeHistory`), `outOfStock`, `excluded` (`filters.exclude`, the placement\'s), `rule`.',
          properties: { purchased: int, seen: int, outOfStock: int, excluded: int, rule: int },
        },
        why: { type: 'string', description: 'The reason in words: "the business filters left out all 3 items the subject\'s history leads to (3 already seen)".' },
      },
    },
    note,
    ruleErrors,
    warnings: subjectWarningsSchema,
  },
} as const;

/** POST /v1/rerank: 200. */
const rerankAnswer = {
  type: 'object',
  ...open,
  required: ['subject', 'items', 'modelVersion', 'evidence', 'dropped'],
  properties: {
    subject: subjectAnswer,
    items: {
      type: 'array',
      description: 'The items of the caller\'s list the filters kept, in their new order.',
      items: {
        type: 'object',
        ...open,
        required: ['id', 'relevance', 'score', 'affinity', 'explanation'],
        properties: {
          id: str,
          relevance: { ...num, description: 'The caller\'s relevance, as sent.' },
          score: { ...num, description: 'The blend the list is ordered by, in [0, 1]: the item\'s relevance percentile within the list, and its affinity percentile weighted by the subject\'s evidence.' },
          affinity: { ...num, description: 'The subject\'s affinity for the item: the sum of its neighbour weights from the subject\'s history. 0 when no history item leads to it: no evidence, not a measured zero — no `affinityInterval` then, and `estimate` is the population\'s view of the item. The inferred number, with its interval and status, is `estimate`.' },
          explanation: { type: 'string', description: '"ranked by relevance", or "raised by your past interest" for an item the affinity moved above its place in the caller\'s order.' },
          affinityInterval: {
            type: 'object',
            ...open,
            required: ['low', 'high', 'level', 'evidence'],
            description: 'Present when the subject\'s history leads to the item (`affinity` above 0): a 90% interval of `affinity`, a bootstrap over the subject\'s history, `evidence` the history items supporting it (as a personal item\'s `interval` in POST /v1/recommendations).',
            properties: { low: num, high: num, level: num, evidence: int },
          },
          estimate: {
            ...estimateViewSchema,
            description: 'Since 2026-12-06: what the model infers of the subject\'s interest in the item, never bare. When the history leads to it: `affinity` with `affinityInterval`, source `personal`, `established` once the interval is no wider than the affinity. Otherwise the share of the trained subjects who interacted with the item (its 90% Wilson interval, those subjects as evidence), source `population`, `learning`. Absent for an item the model does not know (nothing is inferred: `affinity` 0 is then only the blend\'s input). What a decision logs as the item\'s estimate.',
          },
        },
      },
    },
    modelVersion,
    evidence: { ...int, description: `Items of the subject's history the model knows: the affinity's weight grows with it (maxWeight · n/(n + ${DEFAULT_HALF_EVIDENCE})).` },
    dropped: {
      type: 'array',
      description: 'The items of the caller\'s list the business filters left out, each with its reason.',
      items: {
        type: 'object',
        ...open,
        required: ['id', 'reason'],
        properties: {
          id: str,
          reason: { type: 'string', enum: ['purchased', 'out of stock', 'excluded', 'rule'] },
          rule: { type: 'string', description: 'With reason `rule`: the rule that did not hold or could not be evaluated.' },
          error: { type: 'string', description: 'Why the rule could not be evaluated on this item.' },
        },
      },
    },
    note,
    ruleErrors,
    warnings: subjectWarningsSchema,
  },
} as const;
const ids = { type: 'array', items: { type: 'string', minLength: 1 }, maxItems: 10_000 } as const;
const filters = { type: 'object', additionalProperties: false, properties: { exclude: ids, outOfStock: ids, rule: { type: 'string', minLength: 1 } } } as const;

/**
 * POST /v1/recommendations and POST /v1/rerank.
 *
 * @example
 * await recommendRoutes(app, tact); // POST /v1/recommendations { subject: 'ana', n: 5 }
 */
export async function recommendRoutes(app: FastifyInstance, tact: Tact): Promise<void> {
  const auth = requireKey(tact.keys, 'server', 'ask for recommendations');
  const subjectOf = async (identifier: string): Promise<ProfileState | undefined> => {
    const found = await findProfile(tact.store.profiles, identifier);
    return found ? tact.store.profiles.getProfile(found.profileId) : undefined;
  };
  // A subject no profile holds is answered as a new one; a kind near one of Tact's (`emial:`) is most likely a typo, and said so.
  const warned = (subject: ProfileState | undefined, identifier: string) => {
    const warnings = subject ? [] : subjectWarnings(identifier, tact.settings.get(mergeRulesKind));
    return warnings.length ? { warnings } : {};
  };

  app.post<{ Body: { subject: string; n?: number; placement?: string; filters?: { exclude?: string[]; outOfStock?: string[]; rule?: string } } }>('/v1/recommendations', {
    preHandler: auth,
    schema: {
      tags: ['learn'],
      summary: 'Items for a subject, each explained ("because you viewed X", "popular with other customers")',
      description: 'The history is read fresh from the profile (a purchase made a second ago is already excluded). Filters: already purchased, out of stock (configured and `filters.outOfStock`), `filters.exclude`, the configured rule, the placement\'s rule and `filters.rule` (CEL over `item` — its id and the attributes of `recommendations.items` — and the profile). An item a rule cannot be evaluated on is left out and counted in `ruleErrors` and `note`. An unknown subject gets the popular items; when its identifier names a kind near one of Tact\'s but none of them (`emial:…`), `warnings` says which was likely meant (as GET /v1/profiles/{identifier} does in its 404).',
      body: {
        type: 'object',
        required: ['subject'],
        additionalProperties: false,
        properties: {
          subject: { type: 'string', minLength: 1, description: 'An identifier as for GET /v1/profiles/{identifier}.' },
          n: { type: 'integer', minimum: 1, maximum: 100, default: 10 },
          placement: { type: 'string', minLength: 1 },
          filters,
        },
      },
      response: { 200: recommendationsAnswer, 400: errorSchema, 401: errorSchema, 403: errorSchema },
    },
  }, async (req) => {
    const subject = await subjectOf(req.body.subject);
    const r = await tact.learning.recommender.recommend({ subject, n: req.body.n ?? 10, placement: req.body.placement, filters: req.body.filters }, Date.now());
    return { subject: { id: subject?.id ?? null, known: !!subject }, placement: req.body.placement ?? null, ...r, items: r.items.map(withEstimateView), ...warned(subject, req.body.subject) };
  });

  app.post<{ Body: { subject: string; items: { id: string; relevance: number }[]; maxWeight?: number; placement?: string; filters?: { exclude?: string[]; outOfStock?: string[]; rule?: string } } }>('/v1/rerank', {
    preHandler: auth,
    schema: {
      tags: ['learn'],
      summary: "Re-rank the caller's list, blending its relevance with the subject's affinities",
      description: `The affinity weight grows with the subject's evidence (maxWeight · n/(n + ${DEFAULT_HALF_EVIDENCE}), maxWeight ${DEFAULT_MAX_WEIGHT} unless sent): a subject without history (or any subject before a model is trained) gets the list ordered by the relevance sent, ties in the order listed. Each item once, each relevance a finite number. The business filters of POST /v1/recommendations apply first — already purchased (read fresh), out of stock (configured and \`filters.outOfStock\`), \`filters.exclude\` and the placement's exclusions, the configured rule, the placement's rule and \`filters.rule\` — and \`dropped\` lists each item left out with its reason; items the subject only viewed stay (the list is what the subject asked for). A rule that could not be evaluated on some items is counted in \`ruleErrors\` and \`note\`.`,
      body: {
        type: 'object',
        required: ['subject', 'items'],
        additionalProperties: false,
        properties: {
          subject: { type: 'string', minLength: 1 },
          // The items are checked by rerankListProblems, not here: a schema's `required` refused a
          // missing relevance before the null and the "2" beside it could be named (until 2026-12-05).
          items: {
            type: 'array', minItems: 1, maxItems: 1000,
            description: 'The list to re-rank: at most 1000 items { id, relevance }, each once. Every bad item is named at once (`items[2].relevance` when missing, null or "2"; a 1e400 is refused on its own, before the list is read).',
            items: { description: 'An item { id, relevance }, nothing else: `id` a non-empty string, `relevance` a finite number (checked without coercion: null or "2" is refused, naming the field).' },
          },
          maxWeight: { type: 'number', minimum: 0, maximum: 1, description: `The largest weight the subject's affinity can get; default ${DEFAULT_MAX_WEIGHT}. The weight is maxWeight · n/(n + ${DEFAULT_HALF_EVIDENCE}), n the subject's history items the model knows (\`evidence\`): ${DEFAULT_HALF_EVIDENCE} of them give half of maxWeight.` },
          placement: { type: 'string', minLength: 1, description: 'A placement of the recommendations settings: its rule and exclusions apply.' },
          filters,
        },
      },
      response: { 200: rerankAnswer, 400: errorSchema },
    },
  }, async (req) => {
    const problems = rerankListProblems(req.body.items, 'items', 1000, { closed: true });
    if (problems.length) throw validationError(problems);
    const subject = await subjectOf(req.body.subject);
    const r = await tact.learning.recommender.rerank({ subject, items: req.body.items, maxWeight: req.body.maxWeight, placement: req.body.placement, filters: req.body.filters }, Date.now());
    return { subject: { id: subject?.id ?? null, known: !!subject }, ...r, items: r.items.map(withEstimateView), ...warned(subject, req.body.subject) };
  });
}

/**
 * An item as the HTTP answers show it: the estimate a decision logs, as the API shows estimates
 * (with its reading; a popular share in percent, a neighbour-weight sum as a number). Until
 * 2026-12-06 it was left out, and a re-ranked item's `affinity` of 0 stood bare.
 */
function withEstimateView<T extends { estimate?: Estimate }>(item: T): Omit<T, 'estimate'> & { estimate?: ReturnType<typeof estimateView> } {
  const { estimate, ...rest } = item;
  return estimate ? { ...rest, estimate: estimateView(estimate, estimate.source === 'population' ? 'share' : 'number') } : rest;
}
