import type { Estimate } from '../../learn/estimate.js';
import { SLOTS, type SendTimePrior, bestSendSlot, populationSendTimePrior, slotOf } from '../../learn/send-time/send-time.js';
import type { ModelVersion } from '../registry/model-store.js';
import { slotLabel, tzOffsetMinutes } from '../local-time.js';

/** A subject's engagement counts by hour of week (the stored state). */
export interface SlotCounts {
  /** Engagement by local hour of week, counted in the subject's time zone. */
  counts: number[];
  /**
   * Engagement that came while the subject had no time zone yet (an e-mail platform's opens
   * before the first browser visit names it), kept as instants in minutes since 1970 and not in
   * `counts`: read in the zone the profile names now ({@link zonedCounts}), and folded into
   * `counts` by the first engagement counted with a zone. At most {@link MAX_UNZONED}.
   */
  unzoned?: number[];
}

/**
 * Engagement instants held per subject while its zone is unknown; beyond, they are counted at once
 * by UTC hour of week (a subject whose zone is never known is read in UTC anyway).
 */
export const MAX_UNZONED = 500;

const MINUTE = 60_000;

const slotAt = (minutes: number, timeZone: string | null | undefined) => slotOf(new Date(minutes * MINUTE), tzOffsetMinutes(timeZone, minutes * MINUTE));

/**
 * Counts one engagement at instant `at` (ms), in place: by the local hour of week of `timeZone`,
 * first folding in what was held while the zone was unknown (each at its own instant's offset);
 * without a zone it is held as an instant until one is known (UTC beyond {@link MAX_UNZONED}).
 *
 * @example
 * countEngagement(state, Date.parse('2026-11-03T09:00:00Z'), 'Asia/Tokyo'); // state.counts[42] += 1
 */
export function countEngagement(s: SlotCounts, at: number, timeZone: string | null | undefined): void {
  if (timeZone) {
    if (s.unzoned) for (const m of s.unzoned) s.counts[slotAt(m, timeZone)] += 1;
    delete s.unzoned;
    s.counts[slotAt(at / MINUTE, timeZone)] += 1;
  } else if ((s.unzoned?.length ?? 0) < MAX_UNZONED) (s.unzoned ??= []).push(Math.floor(at / MINUTE));
  else s.counts[slotOf(new Date(at), 0)] += 1;
}

/**
 * The counts by local hour of week in `timeZone` (UTC without one), the held engagement included,
 * each at the offset of its own instant (daylight saving, half-hour zones).
 *
 * @example
 * zonedCounts(state, 'Asia/Tokyo')[42]; // Tuesday 18:00 in Tokyo
 */
export function zonedCounts(s: SlotCounts, timeZone: string | null | undefined): number[] {
  const counts = s.counts.slice();
  for (const m of s.unzoned ?? []) counts[slotAt(m, timeZone)] += 1;
  return counts;
}

/** The stored `send-time` model: the population's engagement share per slot and the prior strength. */
export interface SendTimeModelState {
  share: number[];
  strength: number;
}

/** @example const s = newSlotCounts(); s.counts[34] += 1; */
export const newSlotCounts = (): SlotCounts => ({ counts: new Array<number>(SLOTS).fill(0) });

/** The prior in force, with what it rests on: the events it was fitted on and the end of their window. */
export interface SendTimePriorInForce {
  prior: SendTimePrior;
  modelVersion: string;
  /** Engagement events the trained prior was fitted on (0 before any training, or when its version did not record them). */
  events: number;
  /** The end of the trained version's data window (ms); null before any training. */
  dataTo: number | null;
}

/**
 * The prior in force: the trained population share, or — before any training — a flat week with
 * the default strength of 24 pseudo-events.
 *
 * @example
 * const { prior, modelVersion } = sendTimePrior(await registry.live('send-time'));
 */
export function sendTimePrior(live: ModelVersion<SendTimeModelState> | undefined): SendTimePriorInForce {
  if (!live) return { prior: populationSendTimePrior([], 24, 0), modelVersion: 'send-time@default', events: 0, dataTo: null };
  const events = Number(live.metrics?.events);
  const known = Number.isFinite(events) && events > 0;
  return {
    // A version trained before 2026-12-05 may hold the search's bound (10⁵) as its strength: never
    // more pseudo-events than the events it was fitted on (strength.ts).
    prior: { share: Float64Array.from(live.state.share), strength: known ? Math.min(live.state.strength, events) : live.state.strength },
    modelVersion: `send-time@${live.version}`,
    events: known ? events : 0,
    dataTo: live.dataTo,
  };
}

/**
 * A subject's best send slot as an Estimate of its engagement share, with the slot in words;
 * the population's slot (learning) until the subject's own events earn it, established once its
 * share's interval is no wider than `maxRelativeWidth` times the share. The counts are read in
 * `timeZone`, the engagement held from before the zone was known included ({@link zonedCounts}). Ties go to the soonest
 * slot from the subject's current local hour (`timeZone`): before any training every slot ties,
 * and the answer is the current hour. Evidence: the subject's events when personal, the prior's
 * (the events it was fitted on) when not — the subject's own are in `detail.events` either way.
 * `updatedAt`: when what the estimate rests on last changed — the prior's data window, and the
 * subject's row when the slot is personal; null for the untrained prior.
 *
 * @example
 * sendTimeNow(row, prior, { minEvents: 5, maxRelativeWidth: 1 }, Date.now(), 'Europe/Paris'); // { estimate: { source: 'personal', … }, detail: { slot: 34, label: 'Tuesday 10:00 (local time)', events: 31 } }
 */
export function sendTimeNow(row: { state: SlotCounts; updatedAt: number } | undefined, p: SendTimePriorInForce, settings: { minEvents: number; maxRelativeWidth: number }, now: number, timeZone?: string | null): { estimate: Estimate; detail: { slot: number; label: string; events: number } } {
  const c = row ? zonedCounts(row.state, timeZone) : new Array<number>(SLOTS).fill(0);
  const fromSlot = slotOf(new Date(now), tzOffsetMinutes(timeZone, now));
  const { slot, estimate } = bestSendSlot(p.prior, c, {
    minEvents: settings.minEvents, modelVersion: p.modelVersion, updatedAt: null, fromSlot,
    establishedWhen: { maxWidth: 1, maxRelativeWidth: settings.maxRelativeWidth }, populationEvidence: p.events,
  });
  const times = [p.dataTo, estimate.source === 'personal' ? row?.updatedAt : undefined].filter((t): t is number => typeof t === 'number');
  estimate.updatedAt = times.length ? new Date(Math.max(...times)).toISOString() : null;
  return { estimate, detail: { slot, label: `${slotLabel(slot)} (local time)`, events: c.reduce((a, b) => a + b, 0) } };
}
