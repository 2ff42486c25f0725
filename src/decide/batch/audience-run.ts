import { unknownPlacement } from '../unknown-placement.js';
import { validationError } from '../../errors/tact-error.js';
import { sendTimeKind } from '../../models/send-time/send-time-kind.js';
import { type SendTime, sendTimeReader } from '../../models/send-time/send-at.js';
import type { ProfileState } from '../../profiles/profile-state.js';
import { featuresKind } from '../../profiles/features/features-kind.js';
import { lifecycleKind, readsLifecycle } from '../../profiles/lifecycle.js';
import { mergedInto } from '../../profiles/merged-ids.js';
import { lifecycleNames } from '../../profiles/rule-scope.js';
import { ratesKind } from '../../models/rates/rates-kind.js';
import { metricsKind } from '../../models/baselines/metrics-kind.js';
import { sendTimeProblem } from '../../segments/estimate-names.js';
import { estimateVars, segmentScope } from '../../segments/membership.js';
import { ruleVars } from '../../profiles/profile-view.js';
import { compileRule, testRule, variablePaths } from '../../rules/cel.js';
import { ruleProblem } from '../../rules/rule-types.js';
import { errorForClient } from '../../server/errors.js';
import { type ErrorLog, FaultLog } from '../../server/fault-log.js';
import type { Tact } from '../../server/tact.js';
import { flagVars } from '../flag-book.js';
import { segmentsKind } from '../../segments/segments-kind.js';
import { decisionView } from '../view.js';
import { policyLevels } from '../routes/policy-levels.js';
import { personIds, type PersonIds } from './person-ids.js';
import type { TakenWindow } from './taken-window.js';

/** What `tact decide-batch` asks the server for. */
export interface AudienceRequest {
  placement: string;
  /** CEL over each profile's facts (and `flags`, `lifecycle`). */
  audience: string;
  context?: Record<string, unknown>;
  /** Stop after this many subjects in the audience. */
  limit?: number;
  /** Stop after this many action choices. */
  maxActions?: number;
  /** Also emit decisions whose choice is "none". */
  includeNone?: boolean;
  /** Add `sendTime` (sendAt and its Estimate) on outbound channels (default: on when send time is configured). */
  sendTime?: boolean;
}

/** Channels a decision is asked for by the visitor; every other channel is outbound (Tact sends). @example INBOUND_CHANNELS.has('email') // false */
export const INBOUND_CHANNELS: ReadonlySet<string> = new Set(['web', 'app', 'in-app', 'mobile-app', 'kiosk', 'pos', 'call-centre', 'call-center', 'agent']);

/**
 * The counts of a run so far. `audienceErrors`: profiles the audience could not be evaluated on
 * (a key the profile lacks, a value that is not a boolean), left out; `audienceError` says why for
 * the first, so that a typo in a trait does not pass for an audience no one is in.
 */
export interface Counts {
  scanned: number;
  total: number;
  /**
   * Of the profiles scanned, those the audience was evaluated on (a profile merged into another is
   * scanned, not evaluated): when `audienceErrors` is all of them, the audience could be evaluated
   * on none — a misspelt trait, not an audience no one is in.
   */
  evaluated: number;
  matched: number;
  decided: number;
  actions: number;
  audienceErrors: number;
  audienceError?: string;
}

/**
 * One line of the stream. `done` ends it: `stoppedBy` `stopped` when the run was stopped on request
 * (`stop`, below), after the decisions in flight, which come before it.
 */
export type AudienceLine =
  | ({ type: 'progress' } & Counts)
  | ({ type: 'decision'; subject: string; profileId: string; decision: Record<string, unknown>; sendTime?: SendTime } & PersonIds)
  | ({ type: 'done'; stoppedBy: 'end' | 'limit' | 'maxActions' | 'stopped' } & Counts)
  | { type: 'error'; profileId: string; error: string; message: string; errorId: string };

/**
 * Runs the decision pipeline over an audience: every live profile (as of a checkpoint taken at
 * the start) whose facts satisfy the CEL audience gets a decision at the placement, logged like
 * any other — caps, budgets, consent and human territory apply. Decisions run `concurrency` at a
 * time, so their log writes share commits. The first line (a `progress` line) comes before any
 * decision is made. Once `stop` fires, no more subjects are decided for: the decisions in flight
 * are finished and yielded, then `done` (stopped by `stopped`) — so that a client that reads on to
 * the last line has every decision the run made, none left in a buffer it would throw away.
 * Given a `window`, the decision lines made (sent, or in flight) exceed those the client has
 * taken by at most `window.ahead`: the run waits for the client (a slow webhook) rather than
 * deciding ahead by what the socket's buffers hold.
 *
 * @example
 * for await (const line of runAudience(tact, { placement: 'newsletter', audience: 'features.orders >= 1.0' })) console.log(line);
 */
export async function* runAudience(tact: Tact, req: AudienceRequest, concurrency = 32, stop?: AbortSignal, window?: TakenWindow): AsyncGenerator<AudienceLine> {
  const placements = tact.decide.playbook().catalog.placements;
  if (!placements.has(req.placement)) throw validationError([{ field: 'placement', message: unknownPlacement(req.placement, [...placements.keys()]) }]);
  const audience = compileRule(req.audience, 'audience', { authoring: true });
  // A misspelt feature compiles, then holds for no one — or for everyone, under `!has(…)`: refused
  // before any decision is made, as in a segment's rule (traits come from data and are not checked).
  // The variables a segment's rule reads — the profile's facts, `lifecycle`, `estimates` (rates and
  // metrics configured, send time) and `microSegment` — and a decision's `flags`, `accounts` and `segments`.
  const st = tact.settings.get(sendTimeKind);
  const configured = { rates: tact.settings.get(ratesKind).map((r) => r.def.name), metrics: tact.settings.get(metricsKind).map((m) => m.def.name) };
  const typo = ruleProblem(req.audience, 'audience', { ...segmentScope(tact.settings.get(featuresKind).map((c) => c.def), configured, lifecycleNames(tact.settings.get(lifecycleKind))), flags: { kind: 'open' }, accounts: { kind: 'value', what: 'a list of account ids' },
    segments: { kind: 'value', what: 'a list of the names of the segments the profile is in', values: { noun: 'segment', plural: 'segments', names: tact.settings.get(segmentsKind).audiences.map((a) => a.name) } },
  }) ?? sendTimeProblem(req.audience, 'audience', st.configured);
  if (typo) throw validationError([{ field: 'audience', message: typo }]);
  if (req.sendTime === true && !st.configured) {
    throw validationError([{ field: 'sendTime', message: 'The `sendTime` was asked for, but send time is not configured: list its engagement events under `sendTime.engagement` first.' }]);
  }
  const channel = tact.decide.playbook().catalog.placements.get(req.placement)?.channel ?? '';
  const sendTime = (req.sendTime ?? st.configured) && st.configured && !INBOUND_CHANNELS.has(channel) ? await sendTimeReader(tact.store, tact.learning.registry, st) : undefined;
  // Each subject's stage and tier, only for an audience that reads them.
  const readsStage = readsLifecycle(req.audience);
  // The profile's accounts, only for an audience that reads them (a decision's rules read them as `accounts`: its account ids).
  const reads = (name: string) => req.audience.includes(name) && (variablePaths(req.audience, name)?.length ?? 1) > 0;
  const readsAccounts = reads('accounts');
  // The segments the profile is in now, as a decision's ladder places it (SegmentLookup), only for an audience that reads them.
  const readsSegments = reads('segments');
  // The profile's estimates (as a segment's rule reads them: estimateVars) and micro-segment, only for an audience that reads them.
  const readsEstimates = reads('estimates');
  const readsMicroSegment = reads('microSegment');
  await tact.store.collect.checkpoint();
  const total = await tact.store.profiles.countProfiles();
  const n: Omit<Counts, 'total'> = { scanned: 0, evaluated: 0, matched: 0, decided: 0, actions: 0, audienceErrors: 0 };
  const out: AudienceLine[] = [];
  const inflight = new Set<Promise<void>>();
  let stoppedBy: 'end' | 'limit' | 'maxActions' | 'stopped' = 'end';
  let after = '';
  // A run whose every decision fails logs the first few in full and sums up the rest (fault-log.ts).
  const faults = new FaultLog(tact.log);
  // Each decision's interval level is its policy version's (an arm may pin another than the live one).
  const levelOf = policyLevels(tact);
  // The decision lines yielded so far, which the client's `taken` counts.
  let sent = 0;
  function* drain(): Generator<AudienceLine> {
    for (const line of out.splice(0)) {
      if (line.type === 'decision') sent++;
      yield line;
    }
  }
  // Before any decision: the route answers with this line, so a client stopped before the answer
  // came can still stop the run (by its id) before anything is decided for it.
  try {
    yield { type: 'progress', total, ...n };
    outer: for (;;) {
      const ids = await tact.store.decisions.profileIds(after, 500);
      if (!ids.length) break;
      after = ids[ids.length - 1];
      for (const id of ids) {
        if (stop?.aborted) {
          stoppedBy = 'stopped';
          break outer;
        }
        n.scanned++;
        const state = await tact.store.profiles.getProfile(id);
        if (!state || state.id !== id) continue;
        n.evaluated++;
        const now = Date.now();
        const vars = ruleVars(state, tact.settings.get(featuresKind), now, readsStage ? tact.settings.get(lifecycleKind) : undefined);
        // The flags the profile's decision sees: its own, those of the profiles merged into it, and
        // those of its accounts (until 2026-12-04 an account's flag was missing here); and its
        // accounts, as a decision's `accounts` (until 2026-12-06 an audience reading them failed on every profile).
        const book = tact.decide.state.flags;
        const merged = state.absorbed !== 0 && book.hasProfileFlags ? await mergedInto(tact.store.profiles, id) : [];
        const accounts = book.hasAccountFlags || readsAccounts ? (await tact.store.profiles.memberships(id)).map((m) => m.accountId) : [];
        vars.flags = flagVars(book.active(id, accounts, now, merged));
        vars.accounts = accounts;
        const position = readsSegments || readsEstimates || readsMicroSegment ? await tact.learning.lookup.position(state, now) : undefined;
        if (readsSegments) vars.segments = position!.segments;
        if (readsEstimates) vars.estimates = estimateVars(await tact.learning.estimates.forSubject(state, now, position));
        // No micro-segment model in force: `microSegment` is unknown (a rule on it is an audience error for the profile), as in a segment's rule.
        if (readsMicroSegment && position!.microSegment) vars.microSegment = position!.microSegment.index;
        const verdict = testRule(audience, vars);
        if (verdict.error !== undefined) {
          n.audienceErrors++;
          n.audienceError ??= `profile ${id}: ${verdict.error}`;
        }
        if (!verdict.pass) continue;
        if (req.limit !== undefined && n.matched >= req.limit) {
          stoppedBy = 'limit';
          break outer;
        }
        while (req.maxActions !== undefined && n.actions + inflight.size >= req.maxActions) {
          if (!inflight.size) {
            stoppedBy = 'maxActions';
            break outer;
          }
          await Promise.race(inflight);
        }
        // Paced by the client: each decision in flight may be sent, and is counted as if it were.
        yield* drain();
        while (window && !stop?.aborted && sent + inflight.size - window.taken >= window.ahead) {
          await (inflight.size ? Promise.race(inflight) : window.next(stop));
          yield* drain();
        }
        if (stop?.aborted) {
          stoppedBy = 'stopped';
          break outer;
        }
        n.matched++;
        const p = decideOne(tact, req, state, n, out, faults, levelOf, sendTime).finally(() => inflight.delete(p));
        inflight.add(p);
        if (inflight.size >= concurrency) await Promise.race(inflight);
        yield* drain();
        if (n.scanned % 1000 === 0) yield { type: 'progress', total, ...n };
      }
      yield { type: 'progress', total, ...n };
    }
    await Promise.all(inflight);
    yield* drain();
    yield { type: 'done', total, ...n, stoppedBy };
  } finally {
    faults.end();
  }
}

async function decideOne(tact: Tact, req: AudienceRequest, state: ProfileState, n: { decided: number; actions: number }, out: AudienceLine[], faults: ErrorLog, levelOf: ReturnType<typeof policyLevels>, sendTime?: (s: ProfileState, now: number) => Promise<SendTime>): Promise<void> {
  const id = state.id;
  try {
    const d = await tact.decide.decider.decide({ subject: `profile:${id}`, placement: req.placement, context: req.context });
    n.decided++;
    const acts = d.choices.filter((c) => c.kind === 'action').length;
    n.actions += acts;
    if (acts || req.includeNone || d.choices.some((c) => c.kind === 'handoff')) {
      const when = acts && sendTime ? await sendTime(state, d.at) : undefined;
      // Whom to send to: the person's userId and email (one read of the profile's identities, for the decisions sent on only).
      const person = personIds(await tact.store.profiles.identities(id));
      out.push({ type: 'decision', subject: `profile:${id}`, profileId: id, ...person, decision: decisionView(d, { full: false, public: false, level: await levelOf(d) }), ...(when ? { sendTime: when } : {}) });
    }
  } catch (err) {
    const e = errorForClient(err, faults, { route: '/v1/decide/batch' }, 'internal_subject');
    out.push({ type: 'error', profileId: id, error: e.code, message: e.message, errorId: e.id });
  }
}
