import type { FastifyInstance, FastifyRequest } from 'fastify';
import { authorOf } from '../../config/author.js';
import { validationError } from '../../errors/tact-error.js';
import { refuseBlank } from '../../config/blank-text.js';
import { noQuery } from '../../config/route-schemas.js';
import { mergeRulesKind } from '../../identity/merge-rules-kind.js';
import { requireKey } from '../../server/auth.js';
import type { Tact } from '../../server/tact.js';
import type { Flag } from '../records.js';
import type { Review, ReviewStatus } from '../reviews.js';
import { decideSchemas } from './schemas.js';
import { flagsRead, unreadFlagWarning } from '../flags-read.js';
import { flagView } from '../flag-book.js';
import { blankFilterProblems, reviewQueueWarnings } from '../reviews-filters.js';

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

const holdView = (h: Review) => ({ ...h, createdAt: iso(h.createdAt), decidedAt: iso(h.decidedAt), expiresAt: iso(h.expiresAt) });
/** A list filter sent empty or blank is a 400 naming it, not "no filter" (reviews-filters.ts). */
const refuseBlankFilters = (q: Parameters<typeof blankFilterProblems>[0]) => {
  const problems = blankFilterProblems(q);
  if (problems.length) throw validationError(problems);
};
/** The key a change was made with, for its log line: the stored author or reviewer is free text. */
const keyOf = (req: FastifyRequest) => ({ key: req.apiKey?.id, keyLabel: req.apiKey?.label });

/**
 * Flags (relationship context) and reviews (held high-stakes choices).
 *
 * @example
 * await flagReviewRoutes(app, tact);
 */
export async function flagReviewRoutes(app: FastifyInstance, tact: Tact): Promise<void> {
  const read = requireKey(tact.keys, 'server', 'read flags and reviews');
  const admin = requireKey(tact.keys, 'admin', 'change flags or decide reviews');

  app.post<{ Body: { subject?: string; account?: string; name: string; note: string; until?: string; author?: string; messageId?: string } }>(
    '/v1/flags',
    { preHandler: admin, schema: { ...decideSchemas.addFlag, querystring: noQuery } },
    async (req, reply) => {
      refuseBlank({ note: req.body.note });
      const { messageId, ...body } = req.body;
      const input = { ...body, author: authorOf(req, body.author) };
      const rules = tact.settings.get(mergeRulesKind);
      // With a `messageId`, a retry (its first answer lost) is answered the flag the first call added, as POST /v1/outcomes answers one.
      const { flag: f, duplicate } = messageId === undefined ? { flag: await tact.decide.flags.add(input, undefined, false, rules), duplicate: false } : await tact.decide.flags.addOnce(input, messageId, rules);
      if (!duplicate) tact.log.info({ flag: f.id, name: f.name, author: f.author, ...keyOf(req) }, 'flag added');
      // 201 again for a retry: the answer the first call was given, had it arrived.
      void reply.status(201);
      const view = { ...flagView(f), ...(messageId === undefined ? {} : { duplicate }) };
      const warnings: { field: string; message: string }[] = [];
      // An account nothing has made yet: stored (its members may come later), but said, as a typo would pause no one.
      if (f.target.kind === 'account' && !(await tact.store.profiles.getAccount(f.target.id))) {
        warnings.push({ field: 'account', message: `No account \`${f.target.id}\` is known yet (a group() call, or an identify with \`company\`, makes one): the flag is stored and applies to its members once there are any. Account ids are case-sensitive.` });
      }
      // A name no rule reads changes no decision: said, with the name a rule does read when one is close.
      const play = tact.decide.playbook();
      const unread = unreadFlagWarning(f.name, flagsRead(play.policy, play.catalog));
      if (unread) warnings.push({ field: 'name', message: unread });
      return warnings.length ? { ...view, warnings } : view;
    },
  );
  app.get<{ Querystring: { subject?: string; account?: string } }>('/v1/flags', { preHandler: read, schema: decideSchemas.listFlags }, async (req) => {
    refuseBlankFilters(req.query);
    return { flags: (await tact.decide.flags.of(req.query, tact.settings.get(mergeRulesKind))).map((f) => flagView(f)) };
  });
  // A `?reason=` was taken and kept nowhere: the route reads no query parameter, and says so.
  app.delete<{ Params: { id: string } }>('/v1/flags/:id', { preHandler: admin, schema: { ...decideSchemas.clearFlag, querystring: noQuery } }, async (req) => {
    const wasOpen = (await tact.store.decisions.getFlag(req.params.id))?.clearedAt === null;
    const f = await tact.decide.flags.clear(req.params.id, authorOf(req));
    // Logged by the call that cleared it: a second DELETE answers the flag as it was cleared and is no
    // clearing (until 2026-12-06 it logged "flag cleared" again, with its own key: QA).
    if (wasOpen) tact.log.info({ flag: f.id, name: f.name, clearedBy: f.clearedBy, ...keyOf(req) }, 'flag cleared');
    return flagView(f);
  });

  app.get<{ Querystring: { status?: ReviewStatus; queue?: string; limit?: number; before?: string } }>('/v1/reviews', { preHandler: read, schema: decideSchemas.listReviews }, async (req) => {
    refuseBlankFilters(req.query);
    const limit = req.query.limit ?? 100;
    const { queue, before } = req.query;
    const reviews = await tact.decide.reviews.list({ status: req.query.status, queue, limit, before });
    // An empty answer to a queue the policy does not name may be a typo: said, with the queue likely meant.
    const warnings = reviewQueueWarnings(queue, tact.decide.playbook().policy, reviews.length, before);
    // A full page may have more after it: `next` is what to pass as `before`.
    return { reviews: reviews.map(holdView), next: reviews.length === limit ? reviews[reviews.length - 1].id : null, ...(warnings.length ? { warnings } : {}) };
  });
  app.get<{ Params: { id: string } }>('/v1/reviews/:id', { preHandler: read, schema: { ...decideSchemas.getReview, querystring: noQuery } }, async (req) => holdView(await tact.decide.reviews.get(req.params.id)));
  for (const [verb, status] of [['approve', 'approved'], ['reject', 'rejected']] as const) {
    app.post<{ Params: { id: string }; Body: { reviewer?: string; note?: string } | null }>(
      `/v1/reviews/:id/${verb}`,
      { preHandler: admin, schema: { ...decideSchemas.decideReview(verb), querystring: noQuery } },
      async (req) => {
        refuseBlank({ note: req.body?.note });
        const h = await tact.decide.reviews.decide(req.params.id, status, authorOf(req, req.body?.reviewer, 'reviewer'), req.body?.note);
        tact.log.info({ review: h.id, status: h.status, reviewer: h.reviewer, ...keyOf(req) }, 'review decided');
        return holdView(h);
      },
    );
  }
}
