import type { FastifyInstance } from 'fastify';
import { type FieldProblem, TactError, validationError } from '../../errors/tact-error.js';
import { mergeRulesKind } from '../../identity/merge-rules-kind.js';
import { subjectProblem, subjectWarnings } from '../../profiles/lookup.js';
import { requireKey } from '../../server/auth.js';
import type { Tact } from '../../server/tact.js';
import { compileCatalog } from '../catalog-compile.js';
import { decisionCursor, readDecisionCursor } from '../decision-cursor.js';
import type { Catalog } from '../catalog.js';
import { compilePolicy } from '../policy-compile.js';
import type { Policy } from '../policy.js';
import { replayRules, timeFeaturesAt } from '../replay.js';
import { subjectKeys } from '../subject-keys.js';
import { decisionView } from '../view.js';
import { policyLevels } from './policy-levels.js';
import { decideSchemas } from './schemas.js';
import { logFilterWarnings } from './log-filter-warnings.js';
import { apiTime } from '../../server/api-time.js';

interface DecideBody {
  subject: string;
  placement: string;
  context?: Record<string, unknown>;
  n?: number;
  explain?: 'summary' | 'full';
}

/**
 * POST /v1/decide, and the decision log: GET /v1/decisions (by subject, action, placement, time; paged by a cursor)
 * and GET /v1/decisions/{id} (the full explanation and the outcomes credited to it).
 *
 * @example
 * await decideRoutes(app, tact);
 */
export async function decideRoutes(app: FastifyInstance, tact: Tact): Promise<void> {
  const anyKey = requireKey(tact.keys, 'write', 'ask for a decision');
  const read = requireKey(tact.keys, 'server', 'read the decision log');
  const levelOf = policyLevels(tact);

  // The answer is decisionView's object, made for this schema: V8's JSON.stringify writes it in 70%
  // of the time of the schema-compiled serializer, allocating a third as much (docs/benchmarks.md,
  // decide). The schema still documents the answer; a test checks the two write the same.
  app.post<{ Body: DecideBody }>('/v1/decide', { preHandler: anyKey, schema: decideSchemas.decide, serializerCompiler: () => (data) => JSON.stringify(data) }, async (req) => {
    const b = req.body;
    const blocked = subjectProblem(b.subject, tact.settings.get(mergeRulesKind));
    if (blocked) throw validationError([blocked]);
    const isPublic = req.apiKey?.kind === 'write';
    const placement = isPublic ? tact.decide.playbook().catalog.placements.get(b.placement) : undefined;
    // A browser learns the field is wrong, not the catalog's other placements.
    if (isPublic && !placement) throw validationError([{ field: 'placement', message: `The \`placement\` \`${b.placement}\` is not in the catalog.` }]);
    if (isPublic && !placement?.def.public) {
      throw new TactError('forbidden', { have: 'write', action: `ask for decisions at the placement \`${b.placement}\` (it is not marked \`public\` in the catalog)`, need: 'server' });
    }
    const record = await tact.decide.decider.decide({ subject: b.subject, placement: b.placement, context: b.context, n: b.n });
    const level = levelOf(record);
    const view = decisionView(record, { full: b.explain === 'full', public: isPublic, level: typeof level === 'number' ? level : await level });
    // A subject no profile holds is decided for as a new one; a kind near one of Tact's (`emial:`) is most likely a typo, and the operator's answer says so.
    if (!isPublic && record.profileKey.startsWith('anon:')) {
      const warnings = subjectWarnings(b.subject, tact.settings.get(mergeRulesKind));
      if (warnings.length) view.warnings = warnings;
    }
    return view;
  });

  // The benchmark's floor: the same key check and body parsing, no decision (npm run bench -- decide).
  if (process.env.TACT_BENCH_NOOP === '1') {
    // Its body is declared (any object), as a route that reads one: the input guard refuses a body
    // on a route that declares none (server/input-guard.ts refuseUnreadBody).
    app.post('/v1/decide/noop', { preHandler: anyKey, schema: { hide: true, body: { type: 'object' } } }, async () => ({ ok: true }));
  }

  app.get<{ Params: { id: string } }>('/v1/decisions/:id', { preHandler: read, schema: decideSchemas.getDecision }, async (req) => {
    const d = await tact.store.decisions.getDecision(req.params.id);
    if (!d) throw new TactError('not_found', { what: 'decision', id: req.params.id });
    const [outcomes, level] = await Promise.all([tact.store.decisions.outcomesOf(d.id), levelOf(d)]);
    return decisionView(d, { full: true, public: false, level }, outcomes);
  });

  app.get<{ Params: { id: string } }>('/v1/decisions/:id/replay', { preHandler: read, schema: decideSchemas.replay }, async (req) => {
    const d = await tact.store.decisions.getDecision(req.params.id);
    if (!d) throw new TactError('not_found', { what: 'decision', id: req.params.id });
    const [catalog, policy, timesAt] = await Promise.all([tact.store.documents.get<Catalog>('catalog', d.catalogVersion), tact.store.documents.get<Policy>('policy', d.policyVersion), timeFeaturesAt(tact.store.documents)]);
    const r = replayRules(d, compileCatalog(catalog?.body ?? {}), compilePolicy(policy?.body ?? {}), timesAt(d.at));
    return { decisionId: d.id, catalogVersion: d.catalogVersion, policyVersion: d.policyVersion, ...r, explainsItself: r.differences.length === 0 };
  });

  app.get<{ Querystring: { subject?: string; action?: string; placement?: string; from?: string; to?: string; after?: string; limit?: number } }>(
    '/v1/decisions',
    { preHandler: read, schema: decideSchemas.listDecisions },
    async (req) => {
      const q = req.query;
      const problems = listProblems(q, tact);
      if (problems.length) throw validationError(problems);
      const from = apiTime(q.from);
      const to = apiTime(q.to);
      const after = q.after !== undefined ? readDecisionCursor(q.after) : undefined;
      const limit = q.limit ?? 50;
      // A subject's decisions include those made under identities that merged into it, or before it had a profile.
      const profileKey = q.subject !== undefined ? await subjectKeys(tact.store.profiles, q.subject) : undefined;
      const decisions = await tact.store.decisions.queryDecisions({
        profileKey,
        // An action's decisions include those in which it was held for review (its stand-in shown).
        action: q.action,
        held: q.action !== undefined,
        placement: q.placement,
        from,
        to,
        after,
        limit,
      });
      const levels = await Promise.all(decisions.map(levelOf));
      const last = decisions.length === limit ? decisions[decisions.length - 1] : undefined;
      // A subject no profile holds has only its `anon:` key; a kind near one of Tact's (`emial:`) is most likely a typo, and said so.
      const warnings: { field: string; message: string; suggestion: string }[] = q.subject !== undefined && profileKey?.[0].startsWith('anon:') ? subjectWarnings(q.subject, tact.settings.get(mergeRulesKind)) : [];
      // An empty page for an action or placement the catalog does not have is most likely a typo (`welcom`).
      warnings.push(...logFilterWarnings(q, tact.decide.playbook().catalog, decisions.length));
      return { decisions: decisions.map((d, i) => decisionView(d, { full: false, public: false, level: levels[i] })), next: last ? decisionCursor(last) : null, ...(warnings.length ? { warnings } : {}) };
    },
  );
}

/**
 * The filters of GET /v1/decisions that can match nothing only by mistake: a `subject`, `action`
 * or `placement` given empty or blank (`?subject=` from an unset variable; a blank subject is
 * refused wherever a decision is asked for, so none is logged under one), and a window whose
 * `to` (exclusive) is not after its `from`. Named bare; the error handler names them
 * `querystring.…` (server/query-fields.ts). Until 2026-12-05 each was a 200 with no decisions.
 *
 * @example
 * listProblems({ subject: ' ' }, tact)[0].field; // 'subject'
 */
function listProblems(q: { subject?: string; action?: string; placement?: string; from?: string; to?: string }, tact: Tact): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (q.subject !== undefined && q.subject.trim() === '') problems.push(subjectProblem(q.subject, tact.settings.get(mergeRulesKind))!);
  for (const field of ['action', 'placement'] as const) {
    const v = q[field];
    if (v !== undefined && v.trim() === '') problems.push({ field, message: `The \`${field}\` is ${v ? 'blank (only white space)' : 'empty'}: no decision has that ${field}. Leave it out for the decisions of every ${field}.` });
  }
  const from = apiTime(q.from);
  const to = apiTime(q.to);
  // Named and said as the experiments' and holdout's windows say it (measure/experiments-service/compare.ts checkWindow).
  if (from !== undefined && to !== undefined && to <= from) {
    const iso = (t: number) => new Date(t).toISOString();
    problems.push({ field: 'to', message: `The window's \`to\` (${iso(to)}) is not after its \`from\` (${iso(from)}): it holds no decisions. Give a \`to\` later than \`from\`.` });
  }
  return problems;
}
