import type { DecisionRecord } from './decision.js';
import type { ContactRow, Flag, Hold, OutcomeRecord } from './records.js';
export type { ContactRow, Flag, Hold, OutcomeRecord } from './records.js';
export type { DecisionRecord } from './decision.js';

/** A flag added through POST /v1/flags with a `messageId`, and the fingerprint of the request that added it (flags.ts requestHash). */
/** A logged decision's ladder position (the groups its trials went to), its time (ms) and the profile key it was made under: positionsOf. */
export type DecisionPosition = Pick<DecisionRecord, 'segment' | 'microSegment' | 'microSegmentModel' | 'at' | 'profileKey'> & { id: string };

export interface SentFlag {
  flag: Flag;
  requestHash: string;
}

/** Action choices of one channel, action and minute (`contactVolumes`). */
export interface VolumeRow {
  channel: string;
  action: string;
  minute: number;
  n: number;
}

/** What the decision log can be asked: by subject, action and time, newest first by (at, id). */
export interface DecisionQuery {
  /** A profile key, or several (a subject's own with those merged into it: decisions made before the merge are theirs too). */
  profileKey?: string | readonly string[];
  action?: string;
  /**
   * With `action`: also the decisions in which that action was held for review (the placement's
   * safe default, or "none", shown in its place; the log indexes the held action beside the choice).
   */
  held?: boolean;
  placement?: string;
  from?: number;
  to?: number;
  /**
   * The page after this decision: the log is ordered newest first by (at, id), so a page that
   * ends inside a millisecond goes on with the rest of it (`to`, exclusive, would skip them).
   */
  after?: { at: number; id: string };
  limit: number;
}

/** Trials (action choices) or successes per action and subject. */
export interface CountRow {
  action: string;
  profileKey: string;
  n: number;
  /**
   * When the (action, subject)'s counts last changed: the newest of its choices and credited
   * successes (ms); null for counts kept before 2026-12-07 whose log rows are gone.
   */
  at: number | null;
}

/** Trials and successes per action and ladder group (the segment and micro-segment a decision recorded). */
export interface GroupCountRow {
  action: string;
  segment: string | null;
  microSegment: number | null;
  microSegmentModel: string | null;
  trials: number;
  successes: number;
  /** When its counts last changed (as CountRow's `at`). */
  at: number | null;
}

/** A success's action, its choice's time and its own (`successDelays`), and its decision's ladder groups. */
export interface DelayRow {
  action: string;
  decidedAt: number;
  at: number;
  segment: string | null;
  microSegment: number | null;
  microSegmentModel: string | null;
}

/** Action choices of one action and ladder group decided in one hour (`readOpenChoices`). */
export interface OpenChoiceRow {
  action: string;
  segment: string | null;
  microSegment: number | null;
  microSegmentModel: string | null;
  /** floor(at / 3,600,000). */
  hour: number;
  n: number;
}

/**
 * A global budget a decision takes from, as a shared store checks it when it logs the decision:
 * the window, the limit, and each chosen action's fair share (Infinity once the window is open to
 * borrowing) — the same rule as the contact-policy stage, on exact counts.
 */
export interface BudgetGuard {
  name: string;
  channel: string;
  windowMs: number;
  windowStart: number;
  max: number;
  shares: Record<string, number>;
}

/** What a process's decision state already holds (decide-state.ts). */
export interface KnownRows {
  contact(c: ContactRow): boolean;
  outcome(o: OutcomeRecord): boolean;
  /** Whether this process had the hold in this state (id and status) when the decision was made. */
  hold(h: Hold): boolean;
  /** Whether this process had the flag in this state (added, or cleared) when the decision was made. */
  flag?(f: Flag): boolean;
  /**
   * Shared stores: the log's outcome number (`outcomesLoggedSince`) up to which every outcome was
   * folded in by a sync, with its margin. Outcomes numbered after it are checked whatever their own
   * time: one dated minutes back (a late report) is written now, after every row a sync has read.
   */
  outcomesThrough?: number;
  /**
   * Shared stores: the log's decision number (`contactsLoggedSince`) up to which every contact was
   * folded in by a sync, with its margin. Contacts of decisions numbered after it are checked
   * whatever their own time: a decision committed long after its time (a slow transaction, another
   * clock) comes after every row a sync has read.
   */
  contactsThrough?: number;
}

/** A subject's log rows that another process wrote since this one last synced. */
export interface SubjectLogRows {
  contacts: ContactRow[];
  outcomes: OutcomeRecord[];
  /** Reviews opened or decided since (checked only for a decision that opens or delivers one). */
  holds?: Hold[];
  /** Flags on the subject, the profiles merged into it or its accounts, added or cleared since. */
  flags?: Flag[];
}

/**
 * Storage of the decisions capability, in domain types only. The decision log is append-only
 * (retention is the one thing that deletes); `appendDecision` resolves only once the record is
 * durable. Two implementations: src/store/sqlite/decisions.ts and src/store/postgres/decisions.ts,
 * both run through src/store/conformance/decide.case.ts.
 */
/** One read of {@link DecisionStore.contactsOfMany}: the arguments of a `contactsOf` call. */
export interface ContactRead {
  profileKeys: readonly string[];
  from: number;
  to: number;
  newestFirst?: { limit: number };
}

export interface DecisionStore {
  appendDecision(d: DecisionRecord): Promise<void>;
  /**
   * Shared stores (several processes) only: under a lock on the subject, appends the decision
   * unless the subject — its profile key, or one of `o.also` (the keys merged into it, and its
   * identifiers' `anon:` keys) — has contacts or outcomes logged at or after `since` that `known`
   * says this process has not folded into its ledger; then nothing is written and those rows are
   * returned, for the caller to fold in and decide again. So two processes deciding for one subject
   * at once cannot both pass a cap or a dismissal rule. With `o.budgets`, it also locks each
   * budget's channel and counts the window exactly: when the decision would pass a limit or a fair
   * share, nothing is written and `budget` names the budget (the caller syncs and decides again).
   * With `o.holds` (the reviews the decision opens or delivers), it also returns instead of writing
   * when a review of the subject was opened or decided since that `known` does not hold — so two
   * processes cannot open two reviews for one person and action, nor deliver one twice or after a
   * rejection — and writes the holds in the same transaction as the decision. It returns too when a
   * flag on the subject (any of its keys) or on one of its accounts was added or cleared since that
   * `known.flag` does not hold: a flag another process recorded a moment before binds the decision
   * (a person's context — "complaint open" — is not a second late). And it returns
   * `{ moved: true }` instead of writing when the decision's subject has moved: its profile was
   * merged into another, or — for a decision made with no profile (`anon:` key) — one of
   * `o.identities` (what its identifier may name) names a profile now; the caller decides again.
   */
  appendIfCurrent?(d: DecisionRecord, since: number, known: KnownRows, o?: { budgets?: readonly BudgetGuard[]; holds?: readonly Hold[]; also?: readonly string[]; identities?: readonly { kind: string; value: string }[] }): Promise<(SubjectLogRows & { budget?: string; moved?: true }) | null>;
  getDecision(id: string): Promise<DecisionRecord | undefined>;
  queryDecisions(q: DecisionQuery): Promise<DecisionRecord[]>;
  /** Every action choice at or after `at` (and before `before`): the contact ledger's rebuild, a page at a time, and, on a shared store, its sync. */
  contactsSince(at: number, before?: number): Promise<ContactRow[]>;
  /**
   * The action choices of decisions for any of `profileKeys` (a subject's own key with those merged
   * into it) made from `from` to `to`, both included, in time order: the outcomes of a subject are
   * credited from it (the contact ledger keeps only what caps need). With `newestFirst`, the newest
   * `limit` of them, newest first (a decision's choices still in rank order).
   */
  contactsOf(profileKeys: readonly string[], from: number, to: number, o?: { newestFirst?: { limit: number } }): Promise<ContactRow[]>;
  /**
   * Many `contactsOf` reads at once: for each read, in its place, what `contactsOf` answers for it.
   * The outcomes of a chunk of track events are credited from them — on PostgreSQL one round trip
   * each was most of the outcome consumer's time.
   *
   * @example
   * const [ana, ben] = await decisions.contactsOfMany([{ profileKeys: ['p_ana'], from, to }, { profileKeys: ['p_ben', 'anon:b-1'], from, to, newestFirst: { limit: 100 } }]);
   */
  contactsOfMany(reads: readonly ContactRead[]): Promise<ContactRow[][]>;
  /**
   * One key's newest action choices from `from` to `to` (both included), newest first (a
   * decision's choices in rank order), at most `limit`: read along the key's index and stopped at
   * the limit — a subject's first decision after a start reads what its caps need this way.
   */
  newestContactsOfKey(profileKey: string, from: number, to: number, limit: number): Promise<ContactRow[]>;
  /**
   * Action choices from `from` to before `to`, counted per channel, action and minute (`floor(at /
   * 60000)`): the global budgets' volumes at start, without reading the choices one by one.
   */
  contactVolumes(from: number, to: number): Promise<VolumeRow[]>;
  /**
   * The `anon:` profile keys (subjects decided for before they had a profile) with an action choice
   * from `from` to before `to`: a start marks them as holding history, so that the profile an
   * identifier later gets counts it (merged-keys.ts), without reading their contacts.
   */
  anonymousKeys(from: number, to: number): Promise<string[]>;
  /** The ladder position each of these decisions recorded (the groups its trials went to) and its time; ids not logged are left out. */
  positionsOf(ids: readonly string[]): Promise<DecisionPosition[]>;
  /** Whether the log holds any action choice from `from` to before `to` (a start with none has nothing to read per subject). */
  anyContact(from: number, to: number): Promise<boolean>;
  /**
   * Action choices per action and subject, over the whole log (the estimates' trials): the counts'
   * snapshot and the rows logged after its watermark (`foldCounts`). Rows a retention pass deleted
   * stay counted once folded (docs/adr/0005-decision-counts-snapshot.md).
   */
  trialCounts(): Promise<CountRow[]>;
  /** Successes per action and subject, over the whole log (as `trialCounts`). */
  successCounts(): Promise<CountRow[]>;
  /** Trials and successes per action and (segment, micro-segment) at decision time, over decisions that recorded one (as `trialCounts`). */
  groupCounts(): Promise<GroupCountRow[]>;
  /**
   * The action choices decided from `from` to before `to`, per hour, action and ladder group at
   * decision time: what a start counts open until their attribution windows end, which the estimates
   * do not read as failures yet (docs/adr/0007-open-attribution-windows.md). Handed to `each` in
   * parts — the log's rows after the counts' watermark, then the snapshot's hours, newest first —
   * with `pause` awaited between parts; every choice once, whatever folds meanwhile. With `upToSeq`,
   * only the decisions numbered up to it (a shared store's start: those after, its syncs count) —
   * when a fold has moved the snapshot past it, the snapshot's hours less the choices folded after
   * it (rows with negative `n`, handed over after the hours). Optional for test doubles; both stores have it.
   */
  readOpenChoices?(from: number, to: number, each: (rows: OpenChoiceRow[]) => void, pause: () => Promise<void>, upToSeq?: number): Promise<void>;
  /**
   * The successes logged up to outcome number `upTo` (see `lastOutcomeSeq`) of the action choices made
   * from `from` to before `to`: their action, choice time and outcome time — what a start teaches the
   * estimates of how long conversions take, an hour of choices at a time
   * (docs/adr/0007-open-attribution-windows.md, F). Optional for test doubles; both stores have it.
   */
  successDelays?(from: number, to: number, upTo: number): Promise<DelayRow[]>;
  /** The number of the last outcome logged (0 when none): successes after it are this process's to count as they come. */
  lastOutcomeSeq?(): Promise<number>;
  /**
   * Folds the rows logged since the counts' watermark into their snapshot, `step` decisions and
   * `step` outcomes a transaction, so a start aggregates only what was logged since the last fold.
   * With several processes one folds at a time. Stops between two steps once `until` (a time) has
   * passed. With `pace` (a running server's background fold), a store whose steps hold the writes of
   * decisions back (the embedded one) takes small steps and pauses `pace` times a step's time after
   * each. Returns how far the watermark moved (in sequence numbers). The snapshot's choices per hour
   * are kept `keptOpenMs` back (OPEN_HOURS_KEPT_MS when not given, at least that): the longest
   * attribution window's, so a start counts open every choice still inside its window.
   */
  foldCounts(step?: number, until?: number, pace?: number, keptOpenMs?: number): Promise<{ decisions: number; outcomes: number }>;
  /** How often a running server folds (ms); FOLD_EVERY_MS (src/decide/service.ts) when not set. */
  readonly foldEveryMs?: number;
  /** The counts' watermark: the last decision and outcome sequence numbers the snapshot includes. */
  countMarks(): Promise<{ decisions: number; outcomes: number }>;

  /**
   * Stores outcome records; one with an id and decision already stored is ignored. A decision's
   * action has one success: a record marked a success when another (possibly from another process)
   * already holds it is stored as not-a-success, and its `success` is set to false in place.
   * Returns the records that were not written because a record with the same id, decision and
   * action was stored already — by another process recording the same outcome at the same moment
   * (both read "not logged yet"): that outcome is a duplicate, counted from the stored row.
   */
  addOutcomes(o: OutcomeRecord[]): Promise<OutcomeRecord[]>;
  /** Outcomes since `at`; with `signals`, only those the decision state keeps: dismissals, and successes since `successesSince` (default `at`), before `before` (a start reads them a page at a time). */
  outcomesSince(at: number, signals?: { successesSince?: number; before?: number }): Promise<OutcomeRecord[]>;
  /**
   * The outcomes of {@link outcomesSince}`(at)` (every type), a page of at most `limit` at a time in
   * the same order — by time, then the order the log wrote them (its outcome number, `seq`) — so
   * rows of one millisecond split across two pages are each read once: `after` is the previous
   * page's `next`, and `next` is absent once a page is the last. A reader of a busy log gives the
   * event loop a turn between pages (the embedded store reads synchronously underneath: 80–260 ms
   * for 8,000 outcomes in one read).
   *
   * @example
   * let page = await store.decisions.outcomesPage(from, { limit: 500 });
   * while (page.next) page = await store.decisions.outcomesPage(from, { after: page.next, limit: 500 });
   */
  outcomesPage(at: number, page: { after?: OutcomePosition; limit: number }): Promise<{ outcomes: OutcomeRecord[]; next?: OutcomePosition }>;
  /**
   * Shared stores (the decision state's sync): the outcomes dated at or after `at` or written after
   * the one the log numbered `after` — the log numbers its outcomes in the order they are written,
   * whatever their own time, so one dated in the past and written now comes after every row read
   * before — in time order; and `last`, the highest number written so far (the next call's `after`).
   */
  outcomesLoggedSince?(at: number, after: number): Promise<{ outcomes: OutcomeRecord[]; last: number }>;
  /**
   * Shared stores (the decision state's sync): the contacts dated at or after `at` or of decisions
   * written after the one the log numbered `after` (decisions are numbered in the order written,
   * whatever their own time), in time order; and `last`, the highest decision number written so far.
   */
  contactsLoggedSince?(at: number, after: number): Promise<{ contacts: ContactRow[]; last: number }>;
  outcomesOf(decisionId: string): Promise<OutcomeRecord[]>;
  /**
   * Of these decisions, the actions a success was credited to (a goal outcome that counted), once
   * each: what a start reads of the choices a subject's personal rung keeps (ADR 0007).
   */
  successesOf?(decisionIds: readonly string[]): Promise<{ decisionId: string; action: string }[]>;
  /** Of these outcome ids, those already stored (for any decision, or none): duplicates are recognised for as long as the log keeps them. */
  loggedOutcomeIds(ids: readonly string[]): Promise<Set<string>>;
  /** The stored records of these outcome ids (an outcome credited to several decisions has one record each), in time order. */
  outcomesWithIds(ids: readonly string[]): Promise<OutcomeRecord[]>;

  /** Deletes decisions and outcomes older than `before` (retention). */
  prune(before: number): Promise<{ decisions: number; outcomes: number }>;

  /** Writes a flag (a new one, or a clearing): its `messageId`, if it was sent with one, is kept. */
  putFlag(f: Flag): Promise<void>;
  /**
   * Stores a flag a client sent with a `messageId` (POST /v1/flags), unless a flag holds that
   * `messageId` already — written by this process or another on the same database, before a
   * restart or at the same moment: a retry whose first answer was lost adds no second flag. Gives
   * the flag that holds it, the fingerprint of the request that made it, and whether it is `f`.
   */
  putFlagOnce(f: Flag, messageId: string, requestHash: string): Promise<SentFlag & { stored: boolean }>;
  /** The flag added with this `messageId`, with its request's fingerprint; undefined when none was. */
  flagOfMessage(messageId: string): Promise<SentFlag | undefined>;
  getFlag(id: string): Promise<Flag | undefined>;
  /** Flags not cleared (expired ones included: the caller decides what is active). */
  openFlags(): Promise<Flag[]>;
  flagsOf(target: Flag['target']): Promise<Flag[]>;

  putHold(h: Hold): Promise<void>;
  /**
   * A person's verdict on a review, written only while it is still pending (whoever else decides
   * it at the same moment, in this process or another): true when this one was written.
   */
  decideHold(h: Hold): Promise<boolean>;
  getHold(id: string): Promise<Hold | undefined>;
  /** Newest first; `before`: a review's id, for the page after it. */
  listHolds(q: { status?: Hold['status']; queue?: string; limit: number; before?: string }): Promise<Hold[]>;
  /**
   * Reviews that can still change a decision: pending ones opened after `since.pending`, approved
   * ones decided after `since.approved`, rejected ones decided at or after `since.rejected` (ms).
   * The log keeps every review for ever; a process reads only these, on every sync.
   */
  liveHolds(since: LiveHoldsSince): Promise<Hold[]>;

  /** Profile ids in id order after `afterId`, for batch audiences (live profiles as of the last checkpoint). */
  profileIds(afterId: string, limit: number): Promise<string[]>;
}

/** Where a page of {@link DecisionStore.outcomesPage} ended: its last outcome's time and the number the log wrote it under. */
export interface OutcomePosition {
  at: number;
  seq: number;
}

/** The reviews' windows as instants (ms): what was opened or decided before them no longer matters. */
export interface LiveHoldsSince {
  pending: number;
  approved: number;
  rejected: number;
}
