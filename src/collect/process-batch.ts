import type { FieldProblem } from '../errors/tact-error.js';
import { identifiersOf, normalizeIdentifier, type Identifier, type IgnoredIdentifier } from '../identity/identifiers.js';
import { IdentityIndex } from '../identity/identity-index.js';
import { isBlocked, whyBlocked, type MergeRules } from '../identity/merge-rules.js';
import { resolveIdentity } from '../identity/resolve.js';
import type { CompiledFeature } from '../profiles/features/definition.js';
import { applyMessage, mergeProfileStates, newProfileState, type ConsentProblem, type ProfileState } from '../profiles/profile-state.js';
import { accountWritesOf } from '../identity/accounts.js';
import type { IdentityConflict, IngestItem, IngestSnapshot, IngestWrites } from './collect-store.js';
import type { Message } from './message.js';

export interface BatchSettings {
  rules: MergeRules;
  features: readonly CompiledFeature[];
  newId: () => string;
  /** The commit's clock (ms), recorded on new identities. */
  now: number;
}

/** What a batch writes. */
export type BatchResult = IngestWrites;

/**
 * A message's identifiers (strongest first) and those the store must look up for it: its own,
 * and for an alias call the previousId as a userId and as an anonymousId; with those it carried
 * and that were set aside (`ignored`, only when there are some), which its profile records. A
 * message with no usable identifier of its own gets `problems` instead, naming each field it
 * carried (see unidentified).
 */
export function identifiersFor(m: Message, rules: MergeRules): { ids: Identifier[]; lookups: Identifier[]; ignored?: IgnoredIdentifier[]; problems?: FieldProblem[] } {
  const out = identifiersOf(m, rules);
  const ids = out.ids;
  if (ids.length === 0) return { ids, lookups: ids, problems: unidentified(out.ignored) };
  const ignored = out.ignored.length ? out.ignored : undefined;
  if (m.type === 'alias' && m.previousId && !isBlocked(rules, m.previousId)) {
    const v = normalizeIdentifier('userId', m.previousId);
    return { ids, lookups: [...ids, { kind: 'userId', value: v }, { kind: 'anonymousId', value: v }], ignored };
  }
  return { ids, lookups: ids, ignored };
}

/**
 * Why a message whose identifiers are all blocked (or not identifiers, like an e-mail without an
 * "@") is refused: resolved, it would start a profile of its own that no later message and no
 * lookup could reach — one more per message, each holding one event. Segment's identity
 * resolution promotes no blocked value to an identifier either (Identity Resolution settings,
 * "Blocked values"), and does not say what becomes of an event left with none; Tact keeps events
 * on profiles only, so it refuses the message and names each field, for the client to be fixed.
 * (An alias to a blocked userId is refused too: there is no one to alias to.)
 */
function unidentified(ignored: readonly IgnoredIdentifier[]): FieldProblem[] {
  const rest = 'it would belong to a profile no one could find again. Send the person\'s real id, or an anonymousId';
  if (ignored.length === 0) return [{ field: 'userId', message: `The message carries no usable identifier: ${rest}.` }];
  return ignored.map((i) => {
    const field = i.field ?? i.kind;
    return { field, message: `The \`${field}\` ${JSON.stringify(i.value)} cannot identify anyone (${i.reason}), and the message carries no other identifier (userId, anonymousId, traits.email, context.externalIds): ${rest}.` };
  });
}

/**
 * The pure heart of collection: given what the store read, resolve each message's identity in
 * arrival order, merge profiles it links, fold it into its profile's facts, and say what to write.
 * Messages already stored are acknowledged again and not stored twice, whatever the tracking plan
 * now says of them; a message's violations are counted once, however often it is sent.
 */
export function processBatch(snap: IngestSnapshot, items: readonly IngestItem[], cfg: BatchSettings): BatchResult {
  const index = new IdentityIndex();
  // Each row is an identifier as it is (its profileId along): the snapshot is the batch's own.
  for (const row of snap.identities) index.load(row.profileId, row, snap.profiles.get(row.profileId)?.createdAt ?? 0);
  const states = new Map<string, ProfileState>(snap.profiles);
  for (const [id, s] of states) index.touchProfile(id, s.createdAt);
  const changed = new Set<string>();
  const mergedAway = new Set<string>();
  const seen = new Set<string>();
  const createdIds = new Set<string>();
  const w: BatchResult = { events: [], identities: [], merges: [], profiles: [], created: [], consent: [], accounts: [], memberships: [], conflicts: [], violations: [], outcomes: [], blocked: [] };
  const violations = new Map<string, IngestWrites['violations'][number]>();

  const seenBlocked = new Set<string>();
  for (const item of items) {
    const m = item.message;
    const stored = snap.existing.has(m.messageId) || seen.has(m.messageId);
    // A message already stored, or blocked before (in this commit or an earlier one), is a retry:
    // its violations were counted.
    const repeat = stored || seenBlocked.has(m.messageId) || snap.blocked.has(m.messageId);
    if (item.blocked && !stored) {
      if (!repeat) w.blocked.push({ messageId: m.messageId, at: m.receivedAt });
      seenBlocked.add(m.messageId);
    }
    for (const v of repeat ? [] : item.violations) {
      const key = `${v.event}\u0000${v.property}\u0000${v.rule}`;
      const cur = violations.get(key);
      if (cur) {
        cur.count += 1;
        cur.blocked += item.blocked ? 1 : 0;
        cur.at = m.receivedAt;
        cur.messageId = m.messageId;
        cur.detail = v.detail;
      } else violations.set(key, { ...v, count: 1, blocked: item.blocked ? 1 : 0, at: m.receivedAt, messageId: m.messageId });
    }
    // Stored already: acknowledged again, even under a plan that now blocks its event.
    if (stored) {
      w.outcomes.push('duplicate');
      continue;
    }
    if (item.blocked) {
      w.outcomes.push('blocked');
      continue;
    }
    seen.add(m.messageId);

    const ids = identifiersForResolution(m, item.ids, cfg.rules, index);
    const res = resolveIdentity(index, ids, cfg.rules, { messageId: m.messageId, at: m.receivedAt, reason: m.type, newId: cfg.newId });
    if (res.created) {
      states.set(res.profileId, newProfileState(res.profileId, m.receivedAt));
      createdIds.add(res.profileId);
    }
    for (const mg of res.merges) {
      const into = states.get(mg.into) as ProfileState;
      const from = states.get(mg.from);
      if (from) mergeProfileStates(into, from, cfg.features);
      // Unknown (a state older than the count) stays non-zero: a decision then reads the merge records.
      into.absorbed = (into.absorbed ?? 1) + 1 + (from?.absorbed ?? 1);
      mergedAway.add(mg.from);
      changed.delete(mg.from);
      changed.add(mg.into);
      w.merges.push(mg);
    }
    for (const d of res.dropped) {
      w.conflicts.push({ profileId: res.profileId, messageId: m.messageId, kind: d.kind, value: d.value, reason: d.reason, at: m.receivedAt });
    }
    // Identifiers set aside on a message that another one identified: the profile says so, or a
    // client sending `email: "undefined"` on every call would go unnoticed.
    if (item.ignored) recordIgnored(w.conflicts, item.ignored, res.profileId, m);
    // An alias to a blocked previousId links no one: the call is kept on the user, and the profile says why (as for a blocked account id).
    const prevBlocked = m.type === 'alias' && m.previousId !== undefined ? whyBlocked(cfg.rules, m.previousId) : undefined;
    if (prevBlocked) w.conflicts.push({ profileId: res.profileId, messageId: m.messageId, kind: 'previousId', value: m.previousId as string, reason: `${prevBlocked}: no profile was merged`, at: m.receivedAt });
    const state = states.get(res.profileId) as ProfileState;
    const problems: ConsentProblem[] = [];
    const consent = applyMessage(state, m, cfg.features, problems);
    if (consent) w.consent.push(consent);
    // A purpose read as not granted for a value not a boolean, or a blank name: the profile says so,
    // or a client sending `"false"` would go unnoticed.
    for (const p of problems) w.conflicts.push({ profileId: res.profileId, messageId: m.messageId, kind: 'consent', value: p.purpose, reason: p.reason, at: m.receivedAt });
    changed.add(res.profileId);
    const acc = accountWritesOf(m, res.profileId, cfg.rules);
    w.accounts.push(...acc.accounts);
    w.memberships.push(...acc.memberships);
    for (const i of acc.ignored) w.conflicts.push({ profileId: res.profileId, messageId: m.messageId, kind: i.kind, value: i.value, reason: i.reason, at: m.receivedAt });
    w.events.push({ messageId: m.messageId, profileId: res.profileId, type: m.type, event: m.event ?? m.name ?? null, timestamp: m.timestamp, receivedAt: m.receivedAt, json: item.json });
    w.outcomes.push('stored');
  }

  // Rows written earlier in this batch follow their profile into any later merge, however long the
  // chain (a profile merges away once; the bound only guards against a cycle).
  const intoOf = new Map(w.merges.map((mg) => [mg.from, mg.into]));
  const finalId = (id: string): string => {
    let cur = id;
    for (let i = 0; i < intoOf.size && intoOf.has(cur); i++) cur = intoOf.get(cur) as string;
    return cur;
  };
  if (w.merges.length) {
    for (const e of w.events) e.profileId = finalId(e.profileId);
    for (const c of w.consent) c.profileId = finalId(c.profileId);
    for (const mm of w.memberships) mm.profileId = finalId(mm.profileId);
    for (const c of w.conflicts) c.profileId = finalId(c.profileId);
  }
  if (w.conflicts.length > 1) w.conflicts = foldConflicts(w.conflicts);
  for (const a of index.added) w.identities.push({ kind: a.kind, value: a.value, profileId: a.profileId, at: cfg.now });
  for (const id of changed) {
    if (mergedAway.has(id)) continue;
    const s = states.get(id) as ProfileState;
    s.version += 1;
    w.profiles.push(s);
  }
  for (const id of createdIds) if (!mergedAway.has(id)) w.created.push(id);
  w.violations = [...violations.values()];
  return w;
}

/**
 * Adds a conflict for each identifier a message set aside (kind and value bounded by
 * identifiersOf), once per kind, value and reason: a message sending one blocked e-mail in
 * `traits` and `context.traits` counts once, as a message is what the store counts.
 */
function recordIgnored(conflicts: IngestWrites['conflicts'], ignored: readonly IgnoredIdentifier[], profileId: string, m: Message): void {
  const from = conflicts.length;
  next: for (const i of ignored) {
    for (let k = from; k < conflicts.length; k++) {
      const c = conflicts[k];
      if (c.kind === i.kind && c.value === i.value && c.reason === i.reason) continue next;
    }
    conflicts.push({ profileId, messageId: m.messageId, kind: i.kind, value: i.value, reason: i.reason, at: m.receivedAt });
  }
}

/**
 * One conflict per (profile, kind, value, reason) of a batch, counting its messages, from the
 * first time to the last and its message (on equal times the later in the batch), as the store
 * folds them: a batch of a client that sends `email: "undefined"` on every call writes one row,
 * not one statement per message (PostgreSQL sends each conflict apart).
 */
function foldConflicts(conflicts: readonly IdentityConflict[]): IdentityConflict[] {
  const byKey = new Map<string, IdentityConflict>();
  for (const c of conflicts) {
    const key = `${c.profileId}\u0000${c.kind}\u0000${c.value}\u0000${c.reason}`;
    const cur = byKey.get(key);
    if (!cur) {
      byKey.set(key, { ...c });
      continue;
    }
    cur.count = (cur.count ?? 1) + (c.count ?? 1);
    cur.firstAt = Math.min(cur.firstAt ?? cur.at, c.firstAt ?? c.at);
    if (c.at >= cur.at) {
      cur.at = c.at;
      cur.messageId = c.messageId;
    }
  }
  return [...byKey.values()];
}

/** The message's identifiers in priority order; an alias's previousId joins as the identity it already is. */
function identifiersForResolution(m: Message, own: Identifier[], rules: MergeRules, index: IdentityIndex): Identifier[] {
  if (m.type !== 'alias') return own;
  const ids = [...own];
  if (m.previousId && !isBlocked(rules, m.previousId)) {
    const v = normalizeIdentifier('userId', m.previousId);
    const asUser = { kind: 'userId', value: v };
    const asAnon = { kind: 'anonymousId', value: v };
    const prev = index.lookup(asUser) ? asUser : asAnon;
    if (!ids.some((i) => i.kind === prev.kind && i.value === prev.value)) ids.push(prev);
  }
  return ids;
}
