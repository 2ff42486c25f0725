import { TactError } from '../errors/tact-error.js';
import { ContactLedger, RECENT_MS, type Retention } from './contact-ledger.js';
import { keptChoices, LIFE_TABLE_MS, loadCounts, loadDelays, loadOpenChoices } from './counts-load.js';
import type { DecisionStore, KnownRows, SubjectLogRows } from './decision-store.js';
import { FlagBook } from './flag-book.js';
import { HoldBook, type ReviewWindows } from './hold-book.js';
import { KeyGenerations } from './key-generations.js';
import { OutcomeCounts } from './outcome-counts.js';
import { recordGroupKeys } from './estimating/prefetch.js';
import type { ContactRow, Flag, Hold, OutcomeRecord } from './records.js';

/**
 * Subjects pruned between two turns of the event loop. Fitting a subject to its caps costs more
 * than trimming it by time did: in `npm run bench -- decide-memory`, 2,000 a slice held the loop
 * 4.0 ms at the median (12.1 at p99), 500 a slice 1.1 ms (4.4).
 */
export const PRUNE_SLICE = 500;

/** How long the keys of applied contacts and outcomes are remembered (see `prune`). */
const KEYS_KEPT_MS = 2 * 60_000;

/**
 * Everything a decision reads besides the profile, held in memory: the contact ledger, outcome
 * counts for the estimates, flags, live holds, and which outcomes were already counted. Rebuilt
 * from the store at start. With several processes on one store (PostgreSQL), `sync` folds in
 * what the others logged since the last call.
 *
 * @example
 * const state = new DecideState(30 * 864e5); await state.rebuild(store.decisions, topicsOf, Date.now());
 */
export class DecideState {
  readonly ledger: ContactLedger;
  readonly counts = new OutcomeCounts();
  readonly flags = new FlagBook();
  /** The ids of the open flags the book holds (a load that lacks one: another process cleared it). */
  private openFlagIds = new Set<string>();
  /** The live reviews (hold-book.ts). */
  private readonly holds = new HoldBook();
  /** decisionId|action that already had a success, with its time. */
  private readonly successes = new KeyGenerations();
  /** Keys of contacts and outcome records already applied (for `sync`), with their time and the order they were taken in (`knownAt`). */
  private readonly seen = new KeyGenerations();
  private syncedTo = 0;
  /**
   * Shared stores: the log's highest outcome number (`outcomesLoggedSince`) at each sync, oldest
   * first, back to the one a guarded append starts from. A sync reads the outcomes written after the
   * number it saw 5 s before — by the order written, not by their own time: an outcome dated minutes
   * back is written now, and a read by time would have passed it for good. With it, `decisions`: the
   * log's highest decision number (`contactsLoggedSince`), for the contacts likewise — a decision
   * committed long after its own time (lock waits, a slow transaction, another server's clock).
   */
  private outcomeMarks: { at: number; seq: number; decisions?: number }[] = [];
  /** The time of the sync begun last (shared stores): a row applied since was written after the marks before it. */
  private clock = -Infinity;
  /** The `syncedTo` of the last sync (or start) whose contacts are all folded in: the ledger holds what was committed before it. */
  private foldedTo = 0;
  /** Checks begun of the `anon:` keys other processes logged since `foldedTo` (`anonymousUnheld`), and the one in flight. */
  private anonChecks = 0;
  private anonCheck: { n: number; found: Promise<boolean> } | undefined;
  /** The check that begins once the one in flight ends. */
  private anonNext: Promise<boolean> | undefined;
  /** A check found such keys: they stay to be taken until a sync folds them in. */
  private anonFound = false;
  private applied = 0;

  /** How far back contacts are kept (the longest window that counts them). */
  private contactsMs: number;
  /** The ledger holds every contact logged since this time (older ones were trimmed or never read). */
  private contactsFrom = Infinity;
  /** Every `anon:` key with a contact logged since this time is held (`ledger.has`); see {@link anonymousHeldFrom}. */
  private anonFrom = -Infinity;
  /** The caps changed to need contacts the ledger let go: `widenContacts` reads them again. */
  private refill = false;
  /** How far back the global budgets count (their longest window; the contact window until told). */
  private budgetMs: number;
  /** The channel volumes count every contact since this time. */
  private volumesFrom = Infinity;
  /** Which parts of a sliced pruning pass have ended (`pruneSome`). */
  private pruned = { ledger: false, choices: false };
  /** Subjects whose contacts before the ledger's `lazyBefore` are being read (`ensureLoaded`). */
  private readonly loading = new Map<string, Promise<void>>();
  private loadedSubjects = 0;
  /** Keys whose first read was one page of their newest contacts (`olderContacts`). */
  private pagesSufficed = 0;
  private loadedContacts = 0;

  constructor(private lookbackMs: number, private readonly shared = false, contactsMs = lookbackMs) {
    this.contactsMs = contactsMs;
    this.budgetMs = contactsMs;
    this.ledger = new ContactLedger(contactsMs, lookbackMs);
  }

  /**
   * `ms`: how far back outcomes, dismissals, holds and applied keys are kept (the policy's
   * look-back); `contactsMs`: how far back contacts are (the longest cap, budget or attribution
   * window — at 1,000 decisions a second every day of contacts is millions of objects in memory);
   * `budgetMs`: how far back the global budgets count (their longest window).
   */
  setLookback(ms: number, contactsMs = ms, now = Date.now(), budgetMs = contactsMs): void {
    this.lookbackMs = ms;
    this.budgetMs = budgetMs;
    // A narrower window trims contacts (and channel volumes) the ledger will not hold again until widenContacts reads them.
    if (contactsMs < this.contactsMs && this.contactsFrom !== Infinity) {
      this.contactsFrom = Math.max(this.contactsFrom, now - contactsMs);
      this.volumesFrom = Math.max(this.volumesFrom, now - contactsMs);
    }
    this.contactsMs = contactsMs;
    this.ledger.setLookback(this.contactsMs, ms);
  }

  /**
   * The caps in force: of a subject's contacts older than a few minutes, the ledger keeps only
   * those some cap counts (contact-ledger.ts) — what it holds is bounded by the caps, not by the
   * decision rate times the window. Caps that need more than the old ones kept (a higher max, a
   * longer window, another match) have the ledger read its contacts again (`widenContacts`).
   */
  setRetention(caps: readonly Retention[], dismissals?: number): void {
    if (!this.ledger.setRetention(caps, dismissals) && this.contactsFrom !== Infinity) this.refill = true;
  }

  /**
   * After the contact window widened (a longer cap or attribution window), or the caps changed to
   * need contacts the ledger let go: every contact older than the last minutes is let go and read
   * again per subject at its next decision (`ensureLoaded`); dismissals are read again at once.
   * A longer budget window reads the channel volumes it needs. Returns how many subjects' contacts
   * are to be read again.
   */
  async widenContacts(store: DecisionStore, now: number): Promise<number> {
    if (this.contactsFrom === Infinity) return 0; // not rebuilt: nothing was read
    const volumesFrom = now - this.budgetMs;
    if (volumesFrom < this.volumesFrom) {
      this.ledger.addVolumes(await store.contactVolumes(volumesFrom, this.volumesFrom));
      this.volumesFrom = volumesFrom;
    }
    const from = now - this.contactsMs;
    if (!this.refill && from >= this.contactsFrom) return 0;
    const refill = this.refill;
    this.refill = false;
    // The last minutes' contacts stay as held: the log may not have the newest yet.
    const cut = now - RECENT_MS;
    const subjects = this.ledger.size;
    this.ledger.readLazily(cut, await store.anonymousKeys(from, cut));
    // The personal rungs' older choices are counted per day, not one by one: read again with the
    // contacts, they would count twice (those kept one by one are recognised when read again). The
    // last minutes' are not read again: their part of the counts stays.
    this.counts.forgetOlderChoices(cut);
    this.contactsFrom = Math.min(this.contactsFrom, from);
    // The `anon:` keys decided for since `from` are named again (held or still to be read).
    this.anonFrom = from;
    if (refill) {
      const read: { profileKey: string; at: number; action: string; id: string }[] = [];
      const dismissals = (at: number, before: number) => store.outcomesSince(at, { successesSince: Number.MAX_SAFE_INTEGER, before });
      // Up to now: the ledger kept fewer dismissals than the new rule counts, the last minutes' too
      // (until 2026-12-06 those were taken as held, and turning suppression on ignored a dismissal
      // made minutes before until the next start).
      await readPaged(dismissals, now - this.lookbackMs, now + 1, (o) => {
        if (o.type === 'dismissal' && o.action && o.decisionId) read.push({ profileKey: o.profileKey, at: o.at, action: o.action, id: o.id });
      });
      this.ledger.replaceDismissals(cut, read);
    }
    return subjects;
  }

  /**
   * Reads from the log the contacts before the ledger's `lazyBefore` of those of `keys` (a subject's
   * key and the keys merged into it) not read yet, before a decision reads the ledger for them
   * (docs/adr/0006-lazy-contact-ledger.md): one indexed query for the keys, shared by
   * decisions for the same subject at once.
   */
  async ensureLoaded(store: DecisionStore, keys: readonly string[], topicsOf: (action: string) => readonly string[], now: number): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const before = this.ledger.lazyBefore;
      if (before === -Infinity) return;
      const from = now - this.contactsMs;
      if (from >= before) {
        // The window has moved past every contact not read: nothing before `before` counts any more.
        this.ledger.allLoaded();
        this.anonFrom = Math.max(this.anonFrom, from);
        return;
      }
      const want = keys.filter((k) => this.ledger.needsLoad(k));
      if (!want.length) return;
      if (attempt >= 3) throw new TactError('conflict', { detail: 'The contact window was widened three times while this decision read it; ask again' });
      const missing = want.filter((k) => !this.loading.has(k));
      if (missing.length) {
        const generation = this.ledger.generation;
        const read: Promise<void> = (async () => {
          const rows = await this.olderContacts(store, missing, from, before - 1, topicsOf, now);
          const by = new Map<string, ContactRow[]>();
          for (const r of rows) {
            const list = by.get(r.profileKey);
            if (list) list.push(r);
            else by.set(r.profileKey, [r]);
          }
          // The personal rung's kept choices among them, with which converted (ADR 0007; those from `before` on are held already).
          const kept = await keptChoices(store, rows.filter((c) => c.at < before));
          // Let go and to be read again meanwhile (`widenContacts`): the next attempt reads it.
          if (this.ledger.generation !== generation) return;
          for (const k of missing) {
            const got = by.get(k) ?? [];
            this.ledger.loadOlder(k, got.map((c) => contactOf(c, topicsOf)), now);
            this.loadedContacts += got.length;
          }
          for (const c of kept) this.counts.noteLoggedChoice(c.action, c.profileKey, c.at, c.won);
          this.loadedSubjects += missing.length;
        })().finally(() => {
          for (const k of missing) if (this.loading.get(k) === read) this.loading.delete(k);
        });
        for (const k of missing) this.loading.set(k, read);
      }
      await Promise.all(want.map((k) => this.loading.get(k)));
    }
  }

  /**
   * The contacts of `keys` from `from` to `to` that the caps can need: each key's newest page (what
   * its index gives first, stopping there), or, when a page is full and does not hold every cap's
   * `max` matches (`coversCaps`), all of the key's — older ones than a covering page the caps would
   * let go at once.
   */
  private async olderContacts(store: DecisionStore, keys: readonly string[], from: number, to: number, topicsOf: (action: string) => readonly string[], now: number): Promise<ContactRow[]> {
    if (!this.ledger.retained.caps) return store.contactsOf(keys, from, to);
    const limit = this.ledger.firstReadRows;
    const out: ContactRow[] = [];
    for (const k of keys) {
      const page = await store.newestContactsOfKey(k, from, to, limit);
      if (page.length < limit || this.ledger.coversCaps(page.map((c) => contactOf(c, topicsOf)), now)) {
        // Back to time order; the sort is stable, so each decision's choices stay in rank order.
        out.push(...page.sort((a, b) => a.at - b.at));
        this.pagesSufficed++;
      } else out.push(...(await store.contactsOf([k], from, to)));
    }
    return out;
  }

  /** Subjects and contacts read per subject since start (`ensureLoaded`), for the logs and gauges. */
  get lazyReads(): { subjects: number; contacts: number; pages: number } {
    return { subjects: this.loadedSubjects, contacts: this.loadedContacts, pages: this.pagesSufficed };
  }

  /**
   * Rebuilds the state from the log at start. The estimates' counts come from their snapshot (ADR
   * 0005); of the contacts, only the last minutes' are read, every other subject's at its first
   * decision (`ensureLoaded`, ADR 0006), and the global budgets' volumes are counted by the log.
   * `eager` reads every contact of the window instead (the comparison the tests make).
   */
  async rebuild(store: DecisionStore, topicsOf: (action: string) => readonly string[], now: number, o: { eager?: boolean; openMs?: number } = {}): Promise<void> {
    const since = now - this.lookbackMs;
    // Shared stores: the outcomes written from here on are read again below, whatever their time.
    const logged = this.shared && store.outcomesLoggedSince ? (await store.outcomesLoggedSince(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)).last : undefined;
    // And the decisions (their contacts) likewise.
    const decided = logged !== undefined && store.contactsLoggedSince ? (await store.contactsLoggedSince(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)).last : undefined;
    await loadCounts(store, this.counts);
    // The successes logged up to here are read with their choices' hours below; those after, counted as they come.
    const upTo = store.successDelays && store.lastOutcomeSeq ? await store.lastOutcomeSeq() : undefined;
    if (upTo !== undefined) this.counts.delays.startedAt(now);
    this.contactsFrom = now - this.contactsMs;
    this.anonFrom = this.contactsFrom;
    let cut = o.eager ? this.contactsFrom : Math.max(this.contactsFrom, now - RECENT_MS);
    if (cut > this.contactsFrom && (await store.anyContact(this.contactsFrom, cut))) {
      this.volumesFrom = Math.min(cut, now - this.budgetMs);
      this.ledger.addVolumes(await store.contactVolumes(this.volumesFrom, cut));
      this.ledger.readLazily(cut, await store.anonymousKeys(this.contactsFrom, cut));
    } else {
      // Nothing before the last minutes (or `eager`): the read below is all there is.
      cut = this.contactsFrom;
      this.volumesFrom = this.contactsFrom;
    }
    // The successes of the choices read here (decided since `cut`, so converted since): their kept
    // choices are marked converted as they are read (ADR 0007's highest reading leaves them out with
    // their successes). A few per cent of the choices: a set of them for the read. Until 2026-12-07
    // only the successes of the last two minutes were read, and after them: a choice of the start's
    // last minutes that had converted read as still to convert until a success came after the start.
    const won = new Set<string>();
    for (const o of await store.outcomesSince(cut, { successesSince: cut })) if (o.success && o.decisionId && o.action) won.add(`${o.decisionId}|${o.action}`);
    await readContacts(store, cut, now, (c) => this.loadContact(c, topicsOf, won));
    for (const c of await store.contactsSince(now)) this.loadContact(c, topicsOf, won);
    // What the caps do not need goes at once, not at the first pruning ten minutes on.
    this.ledger.prune(now);
    // Only what the state keeps — dismissals, and the last minutes' successes; the rest is in the log.
    const successesSince = now - KEYS_KEPT_MS;
    await readPaged((at, before) => store.outcomesSince(at, { successesSince, before }), since, now, (o) => this.applyOutcome(o, false));
    for (const o of await store.outcomesSince(now, { successesSince })) this.applyOutcome(o, false);
    // Shared stores: the decisions numbered after those read here are the syncs' (their contacts, open choices included).
    let syncedFrom: number | undefined;
    if (logged !== undefined && store.outcomesLoggedSince) {
      // Those written while the pages above were read (one dated back may be in a page read before):
      // applied, and remembered from now (the sift below keeps them) — the first syncs read from here.
      this.clock = now;
      const lateContacts = decided !== undefined && store.contactsLoggedSince ? await store.contactsLoggedSince(Number.MAX_SAFE_INTEGER, decided) : undefined;
      // Not those the pages above read too, nor those before `cut` (read per subject, from the log).
      for (const c of lateContacts?.contacts ?? []) if (c.at >= cut && !this.seen.has(`c|${c.decisionId}|${c.action}`)) this.loadContact(c, topicsOf);
      const late = await store.outcomesLoggedSince(Number.MAX_SAFE_INTEGER, logged);
      for (const o of late.outcomes) this.applyOutcome(o, false);
      this.outcomeMarks = [{ at: now, seq: late.last, decisions: lateContacts?.last }];
      syncedFrom = lateContacts?.last;
    }
    this.loadFlags(await store.openFlags());
    await this.loadHolds(store, now);
    this.syncedTo = now;
    this.foldedTo = now;
    // The contacts just read lie in their window; the successes and keys of the look-back may not.
    this.forgetKeys(now, true);
    // The choices whose attribution windows may be open, an hour at a time in the background (ADR
    // 0007): those decided from here on are counted open as they are made or synced.
    const pause = () => new Promise<void>((resolve, reject) => setImmediate(() => (this.stopped ? reject(STOPPED) : resolve())));
    const t = performance.now();
    // Two hours more than the longest window: the delays' life table reads choices old enough to have
    // had all of it (OutcomeDelays); then the successes of those hours, for how long conversions take.
    const openFrom = now - (o.openMs ?? this.contactsMs) - LIFE_TABLE_MS;
    // Up to the decision number the syncs go on from: one logged by another process as this one
    // started, dated before the start, was counted by the read and again by the first sync (until 2026-12-07).
    this.openRead = loadOpenChoices(store, this.counts, openFrom, now, pause, syncedFrom).then(async () => (upTo === undefined ? undefined : loadDelays(store, this.counts, openFrom, now, upTo, pause))).then(
      () => ({ ms: Math.round(performance.now() - t) }),
      (err: unknown) => (err === STOPPED ? { ms: Math.round(performance.now() - t) } : { ms: Math.round(performance.now() - t), error: err instanceof Error ? err : new Error(String(err)) }),
    );
  }

  /**
   * The background read a start begins of the choices whose attribution windows may be open (ADR
   * 0007): how long it took, and its error if it failed (the estimates then read the choices made
   * before the start as decided — the lowest reading — until their windows close).
   */
  openRead: Promise<{ ms: number; error?: Error }> = Promise.resolve({ ms: 0 });
  private stopped = false;

  /** Ends the background work a start began (the server is closing). */
  stop(): void {
    this.stopped = true;
  }

  /**
   * Folds in what other processes logged since the last sync (shared stores only), and answers the
   * outcomes it read — this process's own among them — for what else learns from them (the
   * bandits resolve their open trials of this process's decisions that another process recorded).
   */
  async sync(store: DecisionStore, topicsOf: (action: string) => readonly string[], now: number): Promise<readonly OutcomeRecord[]> {
    const since = this.syncedTo - 5_000;
    this.clock = Math.max(this.clock, now);
    const found = this.anonFound;
    // Shared stores: by time, and by the order written (the same 5 s margin), as the outcomes below.
    const through = this.outcomeMarks.length ? this.marksThrough(now - 5_000) : undefined;
    let decisions: number | undefined;
    if (this.shared && store.contactsLoggedSince && (!through || through.decisions !== undefined)) {
      const read = await store.contactsLoggedSince(since, through?.decisions ?? Number.MAX_SAFE_INTEGER);
      for (const c of read.contacts) this.applyContact(c, topicsOf(c.action));
      decisions = read.last;
    } else for (const c of await store.contactsSince(since)) this.applyContact(c, topicsOf(c.action));
    // What was committed before `now` is in the ledger now, the `anon:` keys among it too.
    this.foldedTo = Math.max(this.foldedTo, now);
    if (found) this.anonFound = false;
    let outcomes: readonly OutcomeRecord[];
    if (this.shared && store.outcomesLoggedSince) {
      // By time as the contacts, and by the order written (the same 5 s margin, for rows committed after their number was taken).
      const read = await store.outcomesLoggedSince(since, through?.seq ?? Number.MAX_SAFE_INTEGER);
      outcomes = read.outcomes;
      await this.applyOthersOutcomes(store, outcomes);
      this.outcomeMarks.push({ at: now, seq: read.last, decisions });
    } else {
      outcomes = await store.outcomesSince(since);
      await this.applyOthersOutcomes(store, outcomes);
    }
    // Only now: a sync that failed above reads the same rows again next time.
    this.syncedTo = Math.max(this.syncedTo, now);
    // The marks a guarded append (a minute back) or the next sync can start from.
    const keep = this.outcomeMarks.findLastIndex((m) => m.at <= this.guardSince);
    if (keep > 0) this.outcomeMarks = this.outcomeMarks.slice(keep);
    this.loadFlags(await store.openFlags());
    await this.loadHolds(store, now);
    return outcomes;
  }

  /**
   * Since when the ledger holds every `anon:` key decided for (`ledger.has`): a key whose newest
   * contact is older may have been let go (pruning trims contacts older than the contact window,
   * measured from the time it runs; a start reads only the window's). An outcome whose attribution
   * window begins before it (a late event, an import of past orders) cannot learn from memory which
   * of its subject's `anon:` keys hold decisions: it reads them all (outcomes/recorder.ts). -Infinity
   * until the state is rebuilt (it has let nothing go).
   */
  get anonymousHeldFrom(): number {
    return this.anonFrom;
  }

  /** A pruning at `now` may let go of the `anon:` keys whose contacts are all older than the contact window. */
  private letAnonymousGo(now: number): void {
    this.anonFrom = Math.max(this.anonFrom, now - this.contactsMs);
  }

  /**
   * Whether an outcome's subject is to be credited the decisions logged under every `anon:` key of
   * its identifiers, not only those this state holds (MergedKeys.of with `every`). On one process
   * (SQLite) never: the ledger holds every such key decided for since {@link anonymousHeldFrom}
   * (its own decisions, taken in as they are logged; for an outcome window reaching back further
   * the recorder takes them all itself). On a shared store, another process may have decided for a
   * visitor with no profile since the last sync (every second): the key is in the log, not in this ledger, and the outcome
   * of the event that creates the profile — recorded here a moment later — would go uncredited for
   * good. So: yes while the ledger holds any `anon:` history (the profile's identifiers are read for
   * it then anyway), or after a check found some since the last sync; else one query of the log for
   * the `anon:` keys decided for since the last sync folded in (an index of `anon:` decisions by
   * time; nothing to find reads nothing else). Only a check begun after the call answers it (one in
   * flight may have missed what was logged since); the calls made meanwhile share that next one.
   */
  async anonymousUnheld(store: Pick<DecisionStore, 'anonymousKeys'>): Promise<boolean> {
    if (!this.shared) return false;
    if (this.ledger.hasAnonymous || this.anonFound) return true;
    // A check in flight began before this call (it may have missed what was logged since): the next one answers.
    const last = this.anonCheck;
    if (!last) return this.checkAnonymous(store);
    this.anonNext ??= last.found.catch(() => false).then(() => {
      this.anonNext = undefined;
      return this.checkAnonymous(store);
    });
    return this.anonNext;
  }

  private checkAnonymous(store: Pick<DecisionStore, 'anonymousKeys'>): Promise<boolean> {
    const n = ++this.anonChecks;
    // The same margin as the sync's for rows committed after their time (5 s); no end: any time logged since.
    const found = store.anonymousKeys(this.foldedTo - 5_000, Number.MAX_SAFE_INTEGER).then((keys) => {
      if (keys.length) this.anonFound = true;
      return keys.length > 0;
    }).finally(() => {
      if (this.anonCheck?.n === n) this.anonCheck = undefined;
    });
    this.anonCheck = { n, found };
    return found;
  }

  /**
   * The policy's review windows (`review.rejectFor`, `review.approvalValidFor`, `review.expireAfter`):
   * a review past its window changes no decision (src/decide/stages/human-territory.ts), and the state
   * lets it go ({@link prune}, {@link loadHolds}). A longer window set later is read back from the log
   * by the next `loadHolds` (the service calls it on every policy change). `rejectFor` also reaches
   * back that far for rejections, however short the look-back.
   */
  setReviewWindows(w: ReviewWindows): void {
    this.holds.setWindows(w);
  }

  /** Reads the live reviews again: pending, approved, and those rejected within the look-back or `rejectFor` — of them, those that still matter (hold-book.ts). */
  async loadHolds(store: DecisionStore, now: number): Promise<void> {
    await this.holds.load(store, now, this.lookbackMs, (h) => this.putHold(h));
  }

  /** Reviews held in memory (for the gauges and tests). */
  get heldReviews(): number {
    return this.holds.size;
  }

  /** From when a guarded append checks the subject's rows: everything before was folded in by a sync (with a minute's margin for slow commits). */
  get guardSince(): number {
    return this.syncedTo - 60_000;
  }

  /**
   * The log's outcome and decision numbers up to which every outcome and contact was folded in by
   * the time `at` (the mark of the newest sync at or before it; the oldest held when none is): those
   * after them may not be.
   */
  private marksThrough(at: number): { seq: number; decisions?: number } {
    let mark = this.outcomeMarks[0];
    for (const m of this.outcomeMarks) if (m.at <= at) mark = m;
    return mark;
  }

  /** How many rows this state has taken in so far (shared stores): a decision notes it before it reads the ledger. */
  get stamp(): number {
    return this.applied;
  }

  /**
   * What this state held at `stamp`, as a guarded append asks it (shared stores): a row taken in
   * later — by a sync, or by this process's own concurrent decision — was not seen by a decision
   * made at `stamp`, so it counts as new.
   */
  knownAt(stamp: number): KnownRows {
    const held = (key: string) => (this.seen.get(key)?.seq ?? Infinity) <= stamp;
    const through = this.outcomeMarks.length ? this.marksThrough(this.guardSince) : undefined;
    return {
      contact: (c) => held(`c|${c.decisionId}|${c.action}`), outcome: (o) => held(outcomeSeen(o)), hold: (h) => held(`h|${h.id}|${h.status}`), flag: (f) => held(flagSeen(f)),
      outcomesThrough: through?.seq, contactsThrough: through?.decisions,
    };
  }

  /** Folds in a subject's rows that another process logged (a guarded append found them). */
  async applyRows(store: DecisionStore, rows: SubjectLogRows, topicsOf: (action: string) => readonly string[]): Promise<void> {
    for (const c of rows.contacts) this.applyContact(c, topicsOf(c.action));
    await this.applyOthersOutcomes(store, rows.outcomes);
    for (const h of rows.holds ?? []) this.putHold(h);
    for (const f of rows.flags ?? []) this.putFlag(f);
  }

  /** A flag added or cleared (here, or by another process): in the book, and — shared stores — marked as held from now (`knownAt`). */
  putFlag(f: Flag): void {
    this.flags.put(f);
    if (f.clearedAt === null) this.openFlagIds.add(f.id);
    else this.openFlagIds.delete(f.id);
    this.markOnce(flagSeen(f), f.clearedAt ?? f.createdAt);
  }

  /** Every open flag, as the log has them (a start, a sync): those gone since the last load were cleared by another process. */
  loadFlags(flags: readonly Flag[]): void {
    const open = new Set(flags.map((f) => f.id));
    for (const id of this.openFlagIds) if (!open.has(id)) this.markOnce(`f|${id}|cleared`, this.clock);
    for (const f of flags) this.markOnce(flagSeen(f), f.createdAt);
    this.openFlagIds = open;
    this.flags.load(flags);
  }

  /** Marks a key as held unless it is already (a sync loads every open flag again: that is not news). */
  private markOnce(key: string, at: number): void {
    if (!this.seen.has(key)) this.mark(key, Math.max(at, this.clock));
  }

  /**
   * Outcomes another process logged: counted, each success also in the groups of its decision's
   * trials — remembered for recent decisions (and for those among the rows just applied), else as
   * the log records them (`positionsOf`) — and in the delays the estimates learn, from its
   * decision's time as logged (until 2026-12-06 another process's successes taught this one no
   * delay until it restarted: on several servers with one consuming the tracked events, the others
   * kept reading open choices as failures).
   */
  private async applyOthersOutcomes(store: DecisionStore, outcomes: readonly OutcomeRecord[]): Promise<void> {
    const successes = outcomes.filter((o) => o.success && o.decisionId && o.action && !this.seen.has(outcomeSeen(o))).map((o) => o.decisionId as string);
    const positions = new Map((successes.length ? await store.positionsOf([...new Set(successes)]) : []).map((p) => [p.id, p]));
    for (const o of outcomes) {
      const p = o.decisionId ? positions.get(o.decisionId) : undefined;
      const groups = p && !this.counts.remembers(p.id) ? recordGroupKeys(p) : undefined;
      this.applyOutcome(o, true, groups, p?.at, p && p.profileKey !== o.profileKey ? [p.profileKey] : undefined);
    }
  }

  /** A contact this process logged, or one another process did (counted once either way). */
  applyContact(c: ContactRow, topics: readonly string[]): void {
    const key = `c|${c.decisionId}|${c.action}`;
    if (this.seen.has(key)) return;
    // Remembered from when it was applied at the earliest, as an outcome (`applyOutcome`).
    this.mark(key, Math.max(c.at, this.clock));
    // One dated before the ledger's lazy boundary (committed minutes late), of a subject whose older
    // contacts are still to be read: that read, from the log where it is now, takes it in.
    const lazy = c.at < this.ledger.lazyBefore && this.ledger.needsLoad(c.profileKey) && !this.loading.has(c.profileKey);
    if (!lazy) this.ledger.record(c.profileKey, { at: c.at, action: c.action, channel: c.channel, topics, decisionId: c.decisionId });
    this.counts.trial(c.action, c.profileKey, 1, recordGroupKeys(c), c.decisionId, c.at);
  }

  /** Marks a contact as already in the ledger (recorded before its log write). */
  markContact(decisionId: string, action: string, at: number): void {
    this.mark(`c|${decisionId}|${action}`, Math.max(at, this.clock));
  }

  /** Whether an outcome id was already recorded. */
  hasOutcome(id: string): boolean {
    return this.seen.has(`o|${id}`);
  }

  /** Successes held (those of the last minutes). */
  get heldSuccesses(): number {
    return this.successes.size;
  }

  /** Whether this decision's action had a success in the last minutes (older ones: ask the log). */
  hadSuccess(decisionId: string, action: string): boolean {
    return this.successes.has(`${decisionId}|${action}`);
  }

  /**
   * An outcome record: dismissals feed the ledger, successes the counts (when `count`) — and the
   * counts of the groups its decision's trials went to: `groups` as the log says (the recorder
   * reads them with the decision), else as remembered for the decisions of the last minutes.
   * `decidedAt`, the time of the decision a counted success is credited to, teaches the estimates
   * the delay from choice to success (OutcomeDelays); `decidedUnder`, the profile keys that decision
   * may have been made under (its own, or the subject's with those merged into it), finds the
   * subject's kept choice it converts (PersonalChoices) when that is not `o.profileKey`.
   */
  applyOutcome(o: OutcomeRecord, count: boolean, groups?: readonly string[], decidedAt?: number, decidedUnder?: readonly string[]): void {
    const key = outcomeSeen(o);
    if (this.seen.has(key)) return;
    // Remembered from when it was applied at the earliest: a sync or guarded append reading by the
    // order written can meet one dated back again (shared stores; `clock` is -Infinity otherwise).
    const at = Math.max(o.at, this.clock);
    this.mark(key, at);
    this.mark(`o|${o.id}`, at);
    if (o.type === 'dismissal' && o.action && o.decisionId) this.ledger.dismiss(o.profileKey, o.at, o.action, o.id);
    if (o.success && o.decisionId && o.action) {
      this.successes.set(`${o.decisionId}|${o.action}`, { at: o.at, seq: 0 });
      // Dated when recorded, not when it happened: a late report changes the estimates now.
      if (count) this.counts.success(o.action, o.profileKey, 1, o.decisionId, groups, decidedAt, decidedUnder, o.recordedAt ?? o.at);
      if (count && decidedAt !== undefined) this.counts.delays.add(o.action, decidedAt, o.at - decidedAt);
    }
  }

  /** The subject's holds, with those of the profile keys merged into it (`also`): a review opened before a merge is still the person's. */
  holdsOf(profileKey: string, also: readonly string[] = []): readonly Hold[] {
    return this.holds.of(profileKey, also);
  }

  /**
   * How many times a subject's reviews changed in this state, under its key and the `also` keys its
   * history is under too (a decision that opens or delivers one checks it did not change under it).
   */
  holdsVersion(profileKey: string, also: readonly string[] = []): number {
    return this.holds.version(profileKey, also);
  }

  putHold(h: Hold): void {
    // A state of a review, taken in once (a sync loads every live review again: that is not news).
    const key = `h|${h.id}|${h.status}`;
    const news = !this.seen.has(key);
    if (news) this.mark(key, h.decidedAt ?? h.createdAt);
    this.holds.put(h, news);
  }

  /**
   * Drops what no longer counts: contacts and dismissals outside their windows (contacts no cap
   * counts), successes older than a few minutes (the recorder asks the log for older ones), the
   * keys {@link forgetKeys} lets go, and the reviews past their windows ({@link setReviewWindows}).
   */
  prune(now: number): void {
    this.counts.pruneChoices(now - this.contactsMs - LIFE_TABLE_MS);
    this.counts.open.prune(now - this.contactsMs - LIFE_TABLE_MS);
    this.counts.delays.prune(now - this.contactsMs - LIFE_TABLE_MS);
    this.letAnonymousGo(now);
    this.ledger.prune(now);
    this.forgetKeys(now);
    this.holds.prune(now);
  }

  /** {@link prune} in slices of `slice` subjects, yielding to the event loop between them (the server's way). */
  async pruneInSlices(now: number, slice = PRUNE_SLICE): Promise<void> {
    while (!this.pruneSome(now, slice)) await new Promise((resolve) => setImmediate(resolve));
  }

  /** One slice of {@link pruneInSlices}: up to `slice` subjects; true when the pass ended (the rest of the state pruned too). */
  pruneSome(now: number, slice = PRUNE_SLICE): boolean {
    this.letAnonymousGo(now);
    // The ledger's subjects and the subjects' kept choices (for their personal rungs), side by side: the pass ends when both have.
    this.pruned.ledger ||= this.ledger.pruneSome(now, slice);
    this.pruned.choices ||= this.counts.pruneChoices(now - this.contactsMs - LIFE_TABLE_MS, slice);
    if (!(this.pruned.ledger && this.pruned.choices)) return false;
    this.pruned = { ledger: false, choices: false };
    this.counts.open.prune(now - this.contactsMs - LIFE_TABLE_MS);
    this.counts.delays.prune(now - this.contactsMs - LIFE_TABLE_MS);
    this.forgetKeys(now);
    this.holds.prune(now);
    return true;
  }

  /**
   * Forgets the keys of applied contacts and outcomes that no sync (from 5 s before the last;
   * shared stores), guarded append (from a minute before) or recorder running now can meet again:
   * two minutes' worth are kept, not the look-back — at 1,000 decisions or outcomes a second, 30
   * days of keys are billions; an outcome id older than that is found in the log instead. Run every
   * minute, it lets go of whole generations of keys (key-generations.ts); `all` (a start) walks
   * every key. And the successes of more than two minutes ago likewise (the recorder asks the log for older ones).
   */
  forgetKeys(now: number, all = false): void {
    // Nor before the oldest outcome mark: a row written after it is read again, whatever its time (applied at or after the mark: see `applyOutcome`).
    const marked = this.outcomeMarks.length ? this.outcomeMarks[0].at : Infinity;
    const before = Math.min((this.shared ? Math.min(now, this.syncedTo) : now) - KEYS_KEPT_MS, marked);
    if (all) this.seen.sift(before);
    else this.seen.turn(before);
    // Successes too, in generations of their own: their times are the outcomes' own, in any order.
    if (all) this.successes.sift(now - KEYS_KEPT_MS);
    else this.successes.turn(now - KEYS_KEPT_MS);
  }

  /** Keys of applied rows held (for the gauges and tests). */
  get heldKeys(): number {
    return this.seen.size;
  }

  /** A contact read from the log: into the ledger, known as applied; its trial is in the counts already. `won`: the choices (`decisionId|action`) a success was credited to. */
  private loadContact(c: ContactRow, topicsOf: (action: string) => readonly string[], won?: ReadonlySet<string>): void {
    this.ledger.load(c.profileKey, contactOf(c, topicsOf));
    // Counted in the counts' snapshot already; kept for the personal rung to read as open (ADR 0007).
    this.counts.noteLoggedChoice(c.action, c.profileKey, c.at, won?.has(`${c.decisionId}|${c.action}`) ?? false);
    this.mark(`c|${c.decisionId}|${c.action}`, Math.max(c.at, this.clock));
    this.counts.rememberGroups(c.decisionId, recordGroupKeys(c));
  }

  private mark(key: string, at: number): void {
    if (this.shared || key.startsWith('o|')) this.seen.set(key, { at, seq: ++this.applied });
  }
}

/** A page of the log read at start aims at about this many rows (a week at 1,000 decisions a second is 600 million contacts). */
const PAGE_ROWS = 50_000;

/** What a stopped state's background read ends with (not an error). */
const STOPPED = Symbol('stopped');

/** Rows of the log from `from` to before `to`, in time order, a page at a time: a minute first, then as wide as keeps a page near {@link PAGE_ROWS}. */
async function readPaged<T>(page: (at: number, before: number) => Promise<T[]>, from: number, to: number, each: (row: T) => void): Promise<void> {
  let step = 60_000;
  for (let at = from; at < to; ) {
    const before = Math.min(to, at + step);
    const rows = await page(at, before);
    for (const r of rows) each(r);
    at = before;
    if (rows.length > PAGE_ROWS) step = Math.max(1_000, Math.floor(step / 2));
    else if (rows.length < PAGE_ROWS / 4) step *= 2;
  }
}

/** The log's contacts from `from` to before `to`, a page at a time. */
function readContacts(store: DecisionStore, from: number, to: number, each: (c: ContactRow) => void): Promise<void> {
  return readPaged((at, before) => store.contactsSince(at, before), from, to, each);
}

function contactOf(c: ContactRow, topicsOf: (action: string) => readonly string[]) {
  return { at: c.at, action: c.action, channel: c.channel, topics: topicsOf(c.action), decisionId: c.decisionId };
}

/** A flag's key in `seen`: its id and whether it is open or cleared. */
function flagSeen(f: Pick<Flag, 'id' | 'clearedAt'>): string {
  return `f|${f.id}|${f.clearedAt === null ? 'open' : 'cleared'}`;
}

/** An outcome row as the state remembers it: one outcome may credit several actions of a decision (a row each). */
function outcomeSeen(o: Pick<OutcomeRecord, 'id' | 'decisionId' | 'action'>): string {
  return `o|${o.id}|${o.decisionId ?? ''}|${o.action ?? ''}`;
}
