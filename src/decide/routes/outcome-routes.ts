import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { MAX_FUTURE_MS } from '../../collect/normalize.js';
import { TactError, validationError } from '../../errors/tact-error.js';
import { mergeRulesKind } from '../../identity/merge-rules-kind.js';
import { findProfile, profileNotFound, SUBJECT_UNKNOWN, subjectProblem, subjectWarnings } from '../../profiles/lookup.js';
import { requireKey } from '../../server/auth.js';
import type { Tact } from '../../server/tact.js';
import { catalogKind, policyKind } from '../kinds.js';
import { outcomeActionWarnings, outcomeMissWarnings, type OutcomeWarning, outcomeTypeWarnings } from '../outcomes/type-hint.js';
import { decideSchemas } from './schemas.js';
import { outcomeView } from '../view.js';
import { apiTime } from '../../server/api-time.js';

interface OutcomeBody {
  type: string;
  decisionId?: string;
  subject?: string;
  action?: string;
  item?: string;
  value?: number;
  messageId?: string;
  timestamp?: string;
}

/**
 * POST /v1/outcomes: an outcome of a decision (by `decisionId`, with the `item` of its
 * recommendations it is of, if any) or of a subject (credited to their decisions within the
 * attribution window). Browsers report with the write key, which may only name a decision.
 *
 * @example
 * await outcomeRoutes(app, tact);
 */
export async function outcomeRoutes(app: FastifyInstance, tact: Tact): Promise<void> {
  const anyKey = requireKey(tact.keys, 'write', 'report outcomes');
  app.post<{ Body: OutcomeBody }>('/v1/outcomes', { preHandler: anyKey, schema: decideSchemas.outcome }, async (req) => {
    const b = req.body;
    if (!b.decisionId && !b.subject) throw validationError([{ field: 'decisionId', message: 'Name the decision (`decisionId`) or the subject (`subject`) the outcome belongs to.' }]);
    const blocked = b.subject !== undefined ? subjectProblem(b.subject, tact.settings.get(mergeRulesKind)) : undefined;
    if (blocked) throw validationError([blocked]);
    if (b.item && !b.decisionId) throw validationError([{ field: 'item', message: 'An `item` is reported with the decision that recommended it: name its `decisionId`.' }]);
    if (!b.decisionId && req.apiKey?.kind === 'write') {
      throw new TactError('forbidden', { have: 'write', action: 'report an outcome without a `decisionId`', need: 'server' });
    }
    let profileKey: string | undefined;
    // With a decisionId too, the subject is checked: the decision must be theirs.
    if (b.subject) profileKey = (await findProfile(tact.store.profiles, b.subject))?.profileId ?? `anon:${b.subject}`;
    // Recorded for a subject no profile holds as for a new one; a kind near one of Tact's (`emial:`) is most likely a typo, and said so.
    const rules = tact.settings.get(mergeRulesKind);
    const ofSubject = b.subject && profileKey?.startsWith('anon:') ? subjectWarnings(b.subject, rules, 'subject', SUBJECT_UNKNOWN.outcome) : [];
    const warnings: OutcomeWarning[] = [...ofSubject];
    // Named with a decision made for another subject, the 400 says it too, as a lookup would.
    const subjectHint = b.subject && ofSubject.length ? { message: profileNotFound(b.subject, rules).message, suggestion: ofSubject[0].suggestion } : undefined;
    const now = Date.now();
    const at = b.timestamp ? apiTime(b.timestamp) : now;
    // As for a tracked event: a time further ahead is a wrong clock — a dismissal dated years on would count towards suppression for years, and outlive the retention.
    if (at > now + MAX_FUTURE_MS) {
      const ahead = at - now >= 2 * 86_400_000 ? `${Math.floor((at - now) / 86_400_000)} days` : `${Math.floor((at - now) / 3600_000)} hours`;
      throw validationError([{ field: 'timestamp', message: `The outcome's \`timestamp\` (${b.timestamp}) is ${ahead} after it arrived; more than 24 hours ahead is a wrong clock, not an outcome. Send the time it happened, or leave \`timestamp\` out for the time of receipt.` }]);
    }
    const r = await tact.decide.outcomes.record([
      { id: b.messageId ?? randomUUID(), at, type: b.type, value: b.value ?? null, decisionId: b.decisionId, profileKey, action: b.action, item: b.item, subjectHint, source: 'api' },
    ]);
    // A type nothing reads, one typo from one that is read (`clickk`): recorded as sent, and said so.
    warnings.push(...outcomeTypeWarnings(b.type, tact.settings.get(policyKind), tact.settings.get(catalogKind)));
    // An action the catalog lacks that credited nothing (`socks-ofer`): recorded as sent, and said so.
    if (!b.decisionId && !r.duplicates.length) warnings.push(...outcomeActionWarnings(b.action, tact.settings.get(catalogKind), r.records.some((x) => x.decisionId !== null && x.credit > 0)));
    // A decision named whose window had ended, or a catalog action no decision of the subject's chose within its window: recorded credited to nothing, and said so.
    warnings.push(...outcomeMissWarnings(r.unmatched));
    // A retry (the same messageId) is answered what the first call recorded, as stored, so a client
    // that lost the first answer learns it; a browser, only the records of the decision it named.
    const stored = r.duplicates.length ? (await tact.store.decisions.outcomesWithIds(r.duplicates)).filter((x) => !b.decisionId || x.decisionId === b.decisionId || req.apiKey?.kind !== 'write') : [];
    // A browser (the write key) is not told the profile's internal id, as its decide answer is not (view.ts).
    const isPublic = req.apiKey?.kind === 'write';
    const recorded = [...r.records, ...stored].map(({ profileKey: key, ...x }) => ({ ...outcomeView(x), ...(isPublic ? {} : { profileKey: key }) }));
    return { recorded, duplicate: r.duplicates.length > 0, ...(warnings.length ? { warnings } : {}) };
  });
}
