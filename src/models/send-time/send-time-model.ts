import type { Estimate } from '../../learn/estimate.js';
import { SLOTS, type SendTimePrior, bestSendSlot, populationSendTimePrior, slotOf } from '../../learn/send-time/send-time.js';
import type { ModelVersion } from '../registry/model-store.js';
import { slotLabel, tzOffsetMinutes } from '../local-time.js';

/** A subject's engagement counts by hour of week (the stored state). */
export interface SlotCounts {
  counts: number[];
}

/** The stored `send-time` model: the population's engagement share per slot and the prior strength. */
export interface SendTimeModelState {
  share: number[];
  strength: number;
}

/** @example const s = newSlotCounts(); s.counts[34] += 1; */
export const newSlotCounts = (): SlotCounts => ({ counts: new Array<number>(SLOTS).fill(0) });

/**
 * The prior in force: the trained population share, or — before any training — a flat week with
 * the default strength of 24 pseudo-events.
 *
 * @example
 * const { prior, modelVersion } = sendTimePrior(await registry.live('send-time'));
 */
export function sendTimePrior(live: ModelVersion<SendTimeModelState> | undefined): { prior: SendTimePrior; modelVersion: string } {
  if (!live) return { prior: populationSendTimePrior([], 24, 0), modelVersion: 'send-time@default' };
  return { prior: { share: Float64Array.from(live.state.share), strength: live.state.strength }, modelVersion: `send-time@${live.version}` };
}

/**
 * A subject's best send slot as an Estimate of its engagement share, with the slot in words;
 * the population's slot (learning) until the subject's own events earn it. Ties go to the soonest
 * slot from the subject's current local hour (`timeZone`): before any training every slot ties,
 * and the answer is the current hour.
 *
 * @example
 * sendTimeNow(counts, prior, 5, Date.now(), 'Europe/Paris'); // { estimate: { source: 'personal', … }, detail: { slot: 34, label: 'Tuesday 10:00 (local time)' } }
 */
export function sendTimeNow(counts: SlotCounts | undefined, p: { prior: SendTimePrior; modelVersion: string }, minEvents: number, updatedAt: number, timeZone?: string | null): { estimate: Estimate; detail: { slot: number; label: string; events: number } } {
  const c = counts?.counts ?? new Array<number>(SLOTS).fill(0);
  const fromSlot = slotOf(new Date(updatedAt), tzOffsetMinutes(timeZone, updatedAt));
  const { slot, estimate } = bestSendSlot(p.prior, c, { minEvents, modelVersion: p.modelVersion, updatedAt: new Date(updatedAt).toISOString(), fromSlot });
  return { estimate, detail: { slot, label: `${slotLabel(slot)} (local time)`, events: c.reduce((a, b) => a + b, 0) } };
}
