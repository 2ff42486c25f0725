import type { FastifyInstance } from 'fastify';
import { TactError, validationError } from '../errors/tact-error.js';
import { accountId } from '../identity/accounts.js';
import { flagView } from '../decide/flag-book.js';
import { mergeRulesKind } from '../identity/merge-rules-kind.js';
import { requireKey } from '../server/auth.js';
import type { Tact } from '../server/tact.js';
import { consentHistoryStatus } from './consent-history.js';
import { featuresKind } from './features/features-kind.js';
import { lifecycleKind } from './lifecycle.js';
import { findProfile, matchedBy, profileNotFound } from './lookup.js';
import { mergeHistory } from './merged-ids.js';
import { consentByPurpose } from './profile-state.js';
import { featureViews, lifecycleOf, ruleVars } from './profile-view.js';
import { profileSchemas } from './schemas.js';

const iso = (t: number | undefined | null) => (t === undefined || t === null ? null : new Date(t).toISOString());

/** GET /v1/profiles/{identifier}: the facts Tact holds about one person. */
export async function profileRoutes(app: FastifyInstance, tact: Tact): Promise<void> {
  const auth = requireKey(tact.keys, 'server', 'read profiles');

  app.get<{ Params: { identifier: string }; Querystring: { events?: number } }>('/v1/profiles/:identifier', { preHandler: auth, schema: profileSchemas.get }, async (req) => {
    const found = await findProfile(tact.store.profiles, req.params.identifier);
    if (!found) throw profileNotFound(req.params.identifier, tact.settings.get(mergeRulesKind));
    const p = tact.store.profiles;
    const state = await p.getProfile(found.profileId);
    if (!state) throw new TactError('not_found', { what: 'profile', id: req.params.identifier });
    const now = Date.now();
    const features = tact.settings.get(featuresKind);
    const vars = ruleVars(state, features, now);
    const recent = req.query.events ?? 20;
    const [identities, events, memberships, merges, consentHistory, conflicts, backfill] = await Promise.all([
      p.identities(state.id), recent === 0 ? [] : p.recentEvents(state.id, recent), p.memberships(state.id), mergeHistory(p, state.id),
      p.consentHistory(state.id, 50), p.conflicts(state.id, 20), tact.backfill.status(),
    ]);
    const flags = await tact.decide.flags.ofProfile(state.id, memberships.map((m) => m.accountId));
    return {
      id: state.id,
      matchedBy: matchedBy(req.params.identifier, found.matched, state.id),
      createdAt: iso(state.createdAt),
      updatedAt: iso(state.updatedAt),
      firstSeenAt: iso(state.firstSeenAt),
      lastSeenAt: iso(state.lastSeenAt),
      eventCount: state.eventCount,
      timezone: state.timezone ?? null,
      locale: state.locale ?? null,
      traits: state.traits,
      features: featureViews(state, features, now, backfill),
      events: Object.fromEntries(Object.entries(state.events).map(([k, e]) => [k, { count: e.n, first: iso(e.t0), last: iso(e.t1) }])),
      lifecycle: lifecycleOf(vars, tact.settings.get(lifecycleKind)),
      consent: Object.fromEntries(Object.entries(consentByPurpose(state.consent)).map(([k, c]) => [k, { granted: c.granted, at: iso(c.at), messageId: c.messageId }])),
      consentHistory: consentHistory.rows.map((c) => ({ at: iso(c.at), messageId: c.messageId, changes: c.changes })),
      consentHistoryStatus: consentHistoryStatus(consentHistory),
      identities: identities.map((i) => ({ kind: i.kind, value: i.value, since: iso(i.createdAt) })),
      accounts: memberships.map((m) => ({ id: m.accountId, role: m.role, traits: m.traits, since: iso(m.since) })),
      // The relationship context people recorded (POST /v1/flags): not cleared, on the person, the profiles merged into it, and its accounts.
      flags: flags.filter((f) => f.clearedAt === null).map((f) => flagView(f, { now })),
      merges: merges.map((m) => ({ into: m.into, from: m.from, messageId: m.messageId, reason: m.reason, via: { kind: m.viaKind, value: m.viaValue }, at: iso(m.at) })),
      // `at` is the last time, as it was before conflicts were counted (clients read it).
      identityConflicts: conflicts.map((c) => ({
        messageId: c.messageId, kind: c.kind, value: c.value, reason: c.reason, count: c.count, firstAt: iso(c.firstAt), lastAt: iso(c.lastAt), at: iso(c.lastAt),
      })),
      recentEvents: events.map((e) => ({ messageId: e.messageId, type: e.type, event: e.event, timestamp: iso(e.timestamp), receivedAt: iso(e.receivedAt), properties: e.message.properties ?? null, traits: e.message.traits ?? null })),
      note: 'Facts only: declared traits, events and computed features. Inferences (model estimates) are kept and shown apart.',
    };
  });

  app.get<{ Params: { id: string }; Querystring: { after?: string; limit?: number } }>('/v1/accounts/:id', { preHandler: auth, schema: profileSchemas.account }, async (req) => {
    const limit = req.query.limit ?? 100;
    // One more than the page: `next` is null on the last page, also when it is exactly full.
    const page = { after: req.query.after === undefined ? '' : membersCursor(req.query.after), limit: limit + 1 };
    // An account stored before ids were trimmed (2026-12-04) is still found by the id it was stored as.
    const id = accountId(req.params.id);
    const a = (await tact.store.profiles.getAccount(id, page)) ?? (id === req.params.id ? undefined : await tact.store.profiles.getAccount(req.params.id, page));
    if (!a) throw new TactError('not_found', { what: 'account', id: req.params.id });
    const members = a.members.slice(0, limit);
    return { id: a.id, traits: a.traits, createdAt: iso(a.createdAt), updatedAt: iso(a.updatedAt), members, next: a.members.length > limit ? members[members.length - 1].profileId : null };
  });
}

/**
 * An account's members cursor: a profile id, as `next` handed it out (26 characters of Crockford
 * base32, identity/profile-id.ts). Any other text is refused: `zzz` sorts after every id and would
 * read as the end of the list, `%%%` before them all and would read as the first page.
 */
function membersCursor(after: string): string {
  if (!/^[0-9A-HJKMNP-TV-Z]{26}$/.test(after)) {
    throw validationError([{ field: 'querystring.after', message: 'The `after` cursor is not one this endpoint hands out (a profile id): pass the `next` of an earlier answer, or leave `after` out for the first page.' }]);
  }
  return after;
}
