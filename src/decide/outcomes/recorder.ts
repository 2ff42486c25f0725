import { TactError, validationError } from '../../errors/tact-error.js';
import type { DecisionRecord } from '../decision.js';
import type { DecisionStore } from '../decision-store.js';
import type { DecideState } from '../decide-state.js';
import type { Playbook } from '../playbook.js';
import type { ContactRow, OutcomeRecord } from '../records.js';
import type { Contact } from '../stages/types.js';
import { attribute, creditable, rewardOf } from './attribution.js';
import { recordGroupKeys } from '../estimating/prefetch.js';
import { UnmatchedOutcomes, type UnmatchedOutcome, type UnmatchedReason } from './unmatched.js';

/** How many of a subject's newest choices the `last` model reads at first (it reads them all only if none of these is creditable). */
const NEWEST_PAGE = 100;
/** The decisions whose outcomes are read at once to find their successes (a PostgreSQL pool has 10 connections). */
const DECISIONS_AT_ONCE = 8;

/** An outcome as reported: by the API (a decision id, or a subject) or mapped from a track event. */
export interface OutcomeInput {
  /** Its own id (a track event's messageId): the same id is recorded once. */
  id: string;
  at: number;
  type: string;
  value?: number | null;
  decisionId?: string;
  /** The subject's profile key, when there is no decision id. */
  profileKey?: string;
  action?: string;
  /** The item of the decision's recommendations it is of (API reports name their decision). */
  item?: string;
  /**
   * Of an API report whose `subject` no profile holds and whose kind is near one of Tact's
   * (`emial:`): the lookups' sentence for it and the identifier meant — said for the field
   * `subject` when the decision named was made for another subject (most likely the typo's).
   */
  subjectHint?: { message: string; suggestion: string };
  source: 'api' | 'event';
}

/**
 * Records outcomes: credits each to the decisions that preceded it within the attribution
 * window, computes its reward under the policy's value function, stores it, and updates the
 * contact ledger (dismissals) and the estimates' counts (the first goal outcome of a decision's
 * action is a success) — so the very next decision sees it.
 *
 * @example
 * await recorder.record([{ id: 'm1', at: Date.now(), type: 'conversion', value: 42, profileKey: 'p1', source: 'event' }]);
 */
/**
 * How far before its decision an outcome's timestamp may be and still be that decision's: the
 * clocks of the systems reporting outcomes differ from the server's (Segment corrects its clients'
 * skew the same way); such an outcome is taken at the decision's time.
 */
const CLOCK_SKEW_MS = 5 * 60_000;

export class OutcomeRecorder {
  constructor(private readonly d: {
    decisions: DecisionStore;
    state: DecideState;
    playbook: () => Playbook;
    onRecorded?: (r: OutcomeRecord[]) => void;
    /**
     * The other profile keys whose decisions are the subject's (merged into it, or made before it
     * had a profile): an offer seen before logging in earns the purchase made after. Of the `anon:`
     * keys of its identifiers, those the state holds; with `every`, all of them. Asked for many
     * subjects at once (a chunk of track events'), answered in their order.
     */
    keysOf?: (asks: readonly { key: string; every: boolean }[]) => Promise<(readonly string[])[]>;
    /** Where the warning about outcomes that named a decision or action that did not match goes (at most once a minute). */
    warn?: (data: Record<string, unknown>, msg: string) => void;
    /** The clock the records' `recordedAt` is read from (the service's; Date.now). */
    now?: () => number;
  }) {
    this.unmatched = new UnmatchedOutcomes(d.warn);
  }

  /** The outcomes credited to no decision though they named one or an action, by source and reason (`tact_outcomes_unmatched_total`). */
  readonly unmatched: UnmatchedOutcomes;

  /** The ids of outcomes being recorded right now, with the work recording them. */
  private readonly inflight = new Map<string, Promise<unknown>>();
  /** `decisionId|action` of the successes being written now (the state has them once written). */
  private readonly successesBeingWritten = new Set<string>();

  /**
   * Returns the records written, and the ids that were duplicates. An id another call is recording
   * at the same moment (a client retrying before the first answer) waits for it, then is a duplicate.
   */
  async record(inputs: OutcomeInput[]): Promise<{ records: OutcomeRecord[]; duplicates: string[]; unmatched: UnmatchedOutcome[] }> {
    for (;;) {
      const busy = [...new Set(inputs.map((o) => this.inflight.get(o.id)).filter((p) => p !== undefined))];
      if (!busy.length) break;
      await Promise.allSettled(busy);
    }
    const run = this.recordNow(inputs);
    const ids = new Set(inputs.map((o) => o.id));
    for (const id of ids) this.inflight.set(id, run);
    try {
      return await run;
    } finally {
      for (const id of ids) if (this.inflight.get(id) === run) this.inflight.delete(id);
    }
  }

  private async recordNow(inputs: OutcomeInput[]): Promise<{ records: OutcomeRecord[]; duplicates: string[]; unmatched: UnmatchedOutcome[] }> {
    const play = this.d.playbook();
    const recordedAt = (this.d.now ?? Date.now)();
    let records: OutcomeRecord[] = [];
    const duplicates: string[] = [];
    /** Those credited to no decision though they named one, or an action: why, for the operator. */
    let unmatched: UnmatchedOutcome[] = [];
    const successes = new Set<string>();
    /** Credits of goal outcomes that are successes unless the batch or the log has one first. */
    const maybe: { record: OutcomeRecord; decisionId: string; action: string }[] = [];
    /** decision id → the groups its trials went to, from the log (the state remembers only recent decisions'). */
    const groupsOf = new Map<string, readonly string[]>();
    /** decision id → the profile keys it may have been made under (its own as logged, or its subject's): a success marks its kept choice there. */
    const under = new Map<string, readonly string[]>();
    const read: ReadOf = { groupsOf, under };
    /** decision id → its time, for the delays of the successes credited to it (the estimates learn them). */
    const decidedAt = new Map<string, number>();
    // Recent ids are in memory; older ones are asked of the log (memory holds minutes, the log its retention).
    const logged = await this.d.decisions.loggedOutcomeIds([...new Set(inputs.map((o) => o.id).filter((id) => !this.d.state.hasOutcome(id)))]);
    const quiet = await this.quietSpan(inputs, play);
    // Shared stores: whether to look under every `anon:` key of a subject's identifiers, held here
    // or not (another process may have decided for it before it had a profile, since the last
    // sync) — asked once for the batch, and only if a subject's keys are (DecideState.anonymousUnheld).
    let unheld: Promise<boolean> | undefined;
    const everyAnonymous = () => (unheld ??= this.d.state.anonymousUnheld(this.d.decisions));
    // The choices of the subjects of the outcomes that name no decision, read for the whole batch
    // at once: one outcome at a time, the round trips were most of the consumer's time on PostgreSQL.
    const seen = new Set<string>();
    const early = inputs.filter((o) => !seen.has(o.id) && seen.add(o.id) && o.profileKey && !o.decisionId && !this.d.state.hasOutcome(o.id) && !logged.has(o.id));
    const before = await this.contactsOfMany(early.map((o) => ({ profileKey: o.profileKey as string, o })), play, read, everyAnonymous, quiet);
    const contactsRead = new Map(early.map((o, i) => [o, before[i]]));
    /** The ids recorded so far in this batch (each has a record or more). */
    const recorded = new Set<string>();
    for (let o of inputs) {
      if (this.d.state.hasOutcome(o.id) || logged.has(o.id) || recorded.has(o.id)) {
        duplicates.push(o.id);
        continue;
      }
      recorded.add(o.id);
      let profileKey = o.profileKey ?? '';
      let contacts: readonly Contact[];
      const named = o.decisionId ? await this.decisionOf(o) : undefined;
      const d = named?.decision;
      // An outcome a little before its decision is another clock's skew: it happened at the decision at the earliest.
      if (d && o.at < d.at) o = { ...o, at: d.at };
      if (d) {
        profileKey = d.profileKey;
        groupsOf.set(d.id, recordGroupKeys(d));
        under.set(d.id, [d.profileKey]);
        contacts = d.choices.filter((c) => c.kind === 'action' && c.action).sort((a, b) => a.rank - b.rank).slice(0, o.action ? undefined : 1)
          .map((c) => ({ at: d.at, action: c.action as string, channel: d.channel, topics: [], decisionId: d.id }));
      } else contacts = profileKey ? (contactsRead.get(o) ?? (await this.contactsBefore(profileKey, o, play, read, everyAnonymous, quiet))) : [];
      const windowFor = (a: string) => play.catalog.actions.get(a)?.attributionMs ?? play.policy.attributionMs;
      for (const c of contacts) decidedAt.set(c.decisionId, c.at);
      let credits = attribute({ at: o.at, action: o.action }, contacts, { windowFor, model: play.policy.attributionModel });
      // A decision that chose no action ("none", a handoff, items) keeps its outcomes within the policy's window: what doing nothing earned.
      const ofNoAction = d && !contacts.length && o.at - d.at <= play.policy.attributionMs ? d : undefined;
      if (d && !credits.length && !ofNoAction && o.source === 'event' && o.profileKey) {
        // A track event naming a decision past its window (an old e-mail's link) is its subject's, as one naming none.
        profileKey = o.profileKey;
        const theirs = await this.contactsBefore(profileKey, o, play, read, everyAnonymous, quiet);
        for (const c of theirs) decidedAt.set(c.decisionId, c.at);
        credits = attribute({ at: o.at, action: o.action }, theirs, { windowFor, model: play.policy.attributionModel });
      }
      const value = o.value ?? null;
      const reward = rewardOf(o.type, value, play.policy.rewards);
      const base = { id: o.id, at: o.at, profileKey, type: o.type, value, source: o.source, ...(o.item ? { item: o.item } : {}), recordedAt };
      if (ofNoAction) records.push({ ...base, decisionId: ofNoAction.id, action: null, credit: 1, reward, success: false });
      else if (!credits.length) {
        records.push({ ...base, decisionId: null, action: o.action ?? null, credit: 0, reward, success: false });
        // Named a decision or an action and credited nothing: said why (a track event is not refused, so nothing else would say it).
        const reason: UnmatchedReason | undefined = named?.miss ?? (d ? 'decision_past_window' : o.action ? (play.catalog.actions.has(o.action) ? 'action_not_shown' : 'action_unknown') : undefined);
        // The window that applied, for the API's warning: the named action's (else the decision's first action's, else the policy's).
        const windowMs = reason === 'action_not_shown' ? windowFor(o.action as string) : reason === 'decision_past_window' ? windowFor(o.action ?? contacts[0]?.action ?? '') : undefined;
        const when = windowMs === undefined ? {} : { windowMs, at: o.at, ...(reason === 'decision_past_window' && d ? { decidedAt: d.at } : {}) };
        if (reason) unmatched.push({ id: o.id, source: o.source, type: o.type, reason, ...(o.decisionId ? { decisionId: o.decisionId } : {}), ...(o.action ? { action: o.action } : {}), ...when });
      }
      for (const c of credits) {
        const record = { ...base, decisionId: c.decisionId, action: c.action, credit: c.credit, reward: reward * c.credit, success: false };
        const goal = play.catalog.actions.get(c.action)?.goal ?? 'conversion';
        if (o.type === goal && !this.d.state.hadSuccess(c.decisionId, c.action)) maybe.push({ record, decisionId: c.decisionId, action: c.action });
        records.push(record);
      }
    }
    // The first goal outcome of a decision's action is a success, unless the log holds one already:
    // asked of it for the batch's decisions at once, then settled in the outcomes' order.
    const inLog = await this.loggedSuccesses(maybe);
    for (const m of maybe) {
      const key = `${m.decisionId}|${m.action}`;
      if (successes.has(key) || inLog.has(key)) continue;
      successes.add(key);
      m.record.success = true;
    }
    // Calls recording other ids of the same decision (two conversions at once) ran the checks above
    // side by side: the first to get here keeps the success, so the estimate counts it once.
    const claimed: string[] = [];
    for (const r of records) {
      if (!r.success) continue;
      const key = `${r.decisionId}|${r.action}`;
      if (this.successesBeingWritten.has(key) || this.d.state.hadSuccess(r.decisionId as string, r.action as string)) r.success = false;
      else (this.successesBeingWritten.add(key), claimed.push(key));
    }
    try {
      // The checks above are this process's; the store is the judge across processes (several
      // servers on one PostgreSQL can both read "no success yet"): a success it already holds
      // for that decision's action makes it store this one as not-a-success and set the record's
      // `success` to false — so the state, the listeners and the answer count what the log holds.
      // A record the store already held (another process recorded this id at the same moment):
      // the outcome is a duplicate, and this process counts the stored row when it syncs — applied
      // here too, it marked the id seen and the sync skipped the row that holds the success
      // (two servers on one PostgreSQL, 2026-12-05: one's estimates stayed a success short).
      const already = records.length ? new Set(await this.d.decisions.addOutcomes(records)) : new Set<OutcomeRecord>();
      const lateIds = new Set([...already].map((r) => r.id));
      for (const id of lateIds) duplicates.push(id);
      records = records.filter((r) => !lateIds.has(r.id));
      unmatched = unmatched.filter((u) => !lateIds.has(u.id));
      for (const r of records) this.d.state.applyOutcome(r, true, r.decisionId ? groupsOf.get(r.decisionId) : undefined, r.decisionId ? decidedAt.get(r.decisionId) : undefined, r.decisionId ? under.get(r.decisionId) : undefined);
    } finally {
      for (const key of claimed) this.successesBeingWritten.delete(key);
    }
    if (records.length) this.d.onRecorded?.(records);
    this.unmatched.note(unmatched);
    return { records, duplicates, unmatched };
  }

  /**
   * The decision an outcome names, when it can be the outcome's: the subject's (or a key merged
   * into it), at or before the outcome, with the action (or the recommended item) it names among
   * its choices. The API is told which field does not fit; a track event naming a decision that
   * does not fit (a forwarded link, an unknown id) is credited to its subject's own decisions instead;
   * why it did not fit is `miss`.
   */
  private async decisionOf(o: OutcomeInput): Promise<{ decision?: DecisionRecord; miss?: UnmatchedReason }> {
    const d = await this.d.decisions.getDecision(o.decisionId as string);
    const api = o.source === 'api';
    if (!d) {
      if (api) {
        const message = `No decision matches the \`decisionId\` \`${o.decisionId}\`: it was never made, or is older than the log's retention.`;
        throw new TactError('not_found', { what: 'decision', id: o.decisionId as string }, { problems: [{ field: 'decisionId', message }] });
      }
      return { miss: 'decision_unknown' };
    }
    const problem = (miss: UnmatchedReason, field: string, message: string, also: { field: string; message: string }[] = [], extra?: Record<string, unknown>) => {
      if (api) throw validationError([{ field, message }, ...also], extra);
      return { miss };
    };
    // Every key the subject's history may be under (another process may have made the decision under one this one does not hold).
    if (o.profileKey && d.profileKey !== o.profileKey && !((await this.d.keysOf?.([{ key: o.profileKey, every: true }]))?.[0] ?? []).includes(d.profileKey)) {
      const hint = o.subjectHint;
      return problem('decision_of_another_subject', 'decisionId', `The decision \`${d.id}\` was made for another subject: an outcome is credited only to its own subject's decisions.`, hint ? [{ field: 'subject', message: hint.message }] : [], hint ? { suggestion: hint.suggestion } : undefined);
    }
    if (o.at < d.at - CLOCK_SKEW_MS) return problem('decision_after_outcome', 'timestamp', `The outcome's \`timestamp\` (${new Date(o.at).toISOString()}) is more than five minutes before its decision (${new Date(d.at).toISOString()}).`);
    if (o.action && !d.choices.some((c) => c.kind === 'action' && c.action === o.action)) {
      return problem('action_not_chosen', 'action', `The decision \`${d.id}\` did not choose the \`action\` \`${o.action}\`.`);
    }
    if (o.item && !d.choices.some((c) => c.kind === 'item' && c.item === o.item)) {
      return problem('action_not_chosen', 'item', `The decision \`${d.id}\` did not recommend the \`item\` \`${o.item}\`.`);
    }
    return { decision: d };
  }

  /**
   * The span of time the outcomes' windows cover, when the log holds no action chosen for anyone in
   * it (outcomes mapped from an import of history, or before any decision): then no subject's
   * choices need be read from it, one query instead of one an outcome. Undefined when it holds some.
   */
  private async quietSpan(inputs: readonly OutcomeInput[], play: Playbook): Promise<{ from: number; to: number } | undefined> {
    if (inputs.length < 2) return undefined;
    let first = Infinity;
    let last = -Infinity;
    for (const o of inputs) {
      first = Math.min(first, o.at);
      last = Math.max(last, o.at);
    }
    const span = { from: first - longestWindow(play), to: last };
    // anyContact reads [from, to): to + 1 takes in a choice at the last outcome's very time.
    return (await this.d.decisions.anyContact(span.from, span.to + 1)) ? undefined : span;
  }

  /**
   * The `decisionId|action` of these that the log holds a success of (the state keeps only the last
   * minutes'): each decision's outcomes read once, a few decisions at a time.
   */
  private async loggedSuccesses(asks: readonly { decisionId: string; action: string }[]): Promise<Set<string>> {
    const found = new Set<string>();
    const ids = [...new Set(asks.map((a) => a.decisionId))];
    for (let at = 0; at < ids.length; at += DECISIONS_AT_ONCE) {
      const part = ids.slice(at, at + DECISIONS_AT_ONCE);
      const read = await Promise.all(part.map((id) => this.d.decisions.outcomesOf(id)));
      for (const [i, rows] of read.entries()) for (const r of rows) if (r.success && r.action) found.add(`${part[i]}|${r.action}`);
    }
    return found;
  }

  /**
   * The subject's action choices an outcome may be credited to: those of the log within the longest
   * attribution window, and those the ledger holds that the log may not have committed yet (it keeps
   * every contact of the last minutes). In time order, a decision's choices in rank order. Under the
   * `last` model only the newest creditable one matters: the log is read newest first, a page at a
   * time, and what is older than the first creditable choice is not read.
   */
  private async contactsBefore(profileKey: string, o: OutcomeInput, play: Playbook, read: ReadOf, everyAnonymous: () => Promise<boolean>, quiet?: { from: number; to: number }): Promise<Contact[]> {
    return (await this.contactsOfMany([{ profileKey, o }], play, read, everyAnonymous, quiet))[0];
  }

  /** {@link contactsBefore} of many outcomes, in their order: their subjects' keys, then the log, each read for all of them at once. */
  private async contactsOfMany(asks: readonly { profileKey: string; o: OutcomeInput }[], play: Playbook, { groupsOf, under }: ReadOf, everyAnonymous: () => Promise<boolean>, quiet?: { from: number; to: number }): Promise<Contact[][]> {
    if (!asks.length) return [];
    const windowMs = longestWindow(play);
    const windowFor = (a: string) => play.catalog.actions.get(a)?.attributionMs ?? play.policy.attributionMs;
    const plans: { profileKey: string; o: OutcomeInput; from: number; none: boolean; every: boolean }[] = [];
    for (const { profileKey, o } of asks) {
      // No action chosen for anyone in the whole span: the log holds nothing for this subject either.
      const none = quiet !== undefined && o.at - windowMs >= quiet.from && o.at <= quiet.to;
      // The log is read under every key the subject's decisions may be under, as the state holds
      // them or, when it may not hold them all, all of them (a subject's `anon:` keys): another process
      // may have decided under one, or the outcome's window reaches back before the keys the state
      // still holds (a late event, an import of past orders: DecideState.anonymousHeldFrom).
      const every = this.d.keysOf !== undefined && !none && !profileKey.startsWith('anon:') && (o.at - windowMs < this.d.state.anonymousHeldFrom || (await everyAnonymous()));
      plans.push({ profileKey, o, from: o.at - windowMs, none, every });
    }
    const also = this.d.keysOf ? await this.d.keysOf(plans.map((p) => ({ key: p.profileKey, every: p.every }))) : [];
    const keys = plans.map((p, i) => [p.profileKey, ...(also[i] ?? [])]);
    const logged: (ContactRow[] | undefined)[] = plans.map((p) => (p.none ? [] : undefined));
    if (play.policy.attributionModel === 'last') {
      const paged = plans.flatMap((p, i) => (p.none ? [] : [i]));
      const pages = !paged.length ? [] : await this.d.decisions.contactsOfMany(paged.map((i) => ({ profileKeys: keys[i], from: plans[i].from, to: plans[i].o.at, newestFirst: { limit: NEWEST_PAGE } })));
      for (const [j, i] of paged.entries()) {
        const page = pages[j];
        const first = page.find((c) => creditable(plans[i].o, c, windowFor));
        // Newest first, ties in (decision, rank) order: `first` is the newest creditable choice, the
        // top choice of its decision; what `attribute` must see is in the page. Back to time order (stable).
        if (first) logged[i] = page.filter((c) => c.at >= first.at).sort((a, b) => a.at - b.at);
        else if (page.length < NEWEST_PAGE) logged[i] = [];
      }
    }
    const whole = plans.flatMap((_, i) => (logged[i] ? [] : [i]));
    const rows = whole.length ? await this.d.decisions.contactsOfMany(whole.map((i) => ({ profileKeys: keys[i], from: plans[i].from, to: plans[i].o.at }))) : [];
    for (const [j, i] of whole.entries()) logged[i] = rows[j];
    return plans.map(({ profileKey, o }, i) => {
      const logRows = logged[i] as ContactRow[];
      for (const c of logRows) {
        if (!groupsOf.has(c.decisionId)) groupsOf.set(c.decisionId, recordGroupKeys(c));
        if (!under.has(c.decisionId)) under.set(c.decisionId, [c.profileKey]);
      }
      const out: Contact[] = logRows.map((c) => ({ at: c.at, action: c.action, channel: c.channel, topics: [], decisionId: c.decisionId }));
      const have = new Set(out.map((c) => `${c.decisionId}|${c.action}`));
      let added = false;
      for (const c of this.d.state.ledger.view(profileKey, keys[i].slice(1)).list()) {
        if (c.at > o.at || have.has(`${c.decisionId}|${c.action}`)) continue;
        out.push(c);
        if (!under.has(c.decisionId)) under.set(c.decisionId, keys[i]);
        added = true;
      }
      // Stable: a decision's choices keep their rank order.
      return added ? out.sort((a, b) => a.at - b.at) : out;
    });
  }
}

/** What reading a batch's contacts learns of their decisions, by decision id: the groups its trials went to, the profile keys it may have been made under. */
interface ReadOf {
  groupsOf: Map<string, readonly string[]>;
  under: Map<string, readonly string[]>;
}

/** The longest attribution window of the policy and its catalog's actions (ms). */
function longestWindow(play: Playbook): number {
  let windowMs = play.policy.attributionMs;
  for (const a of play.catalog.actions.values()) windowMs = Math.max(windowMs, a.attributionMs ?? 0);
  return windowMs;
}
