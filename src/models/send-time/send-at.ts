import type { Estimate } from '../../learn/estimate.js';
import { SLOTS } from '../../learn/send-time/send-time.js';
import type { ProfileState } from '../../profiles/profile-state.js';
import { combinedRows } from '../estimates/merged-rows.js';
import { tzOffsetMinutes } from '../local-time.js';
import type { ModelRegistry } from '../registry/registry.js';
import { type SendTimeModelState, type SlotCounts, sendTimeNow, sendTimePrior } from './send-time-model.js';
import type { CompiledSendTime } from './send-time-kind.js';

const HOUR = 3_600_000;

/**
 * When to send: the next start of the subject's best hour-of-week slot in their own time zone,
 * with the send-time Estimate behind it.
 *
 * @example
 * { sendAt: '2026-12-01T09:00:00.000Z', slot: 34, label: 'Tuesday 10:00 (local time)', timezone: 'Europe/Paris', estimate: { value: 0.04, … } }
 */
export interface SendTime {
  sendAt: string;
  slot: number;
  label: string;
  timezone: string;
  estimate: Estimate;
}

/**
 * The next instant at or after `now` that starts the local hour-of-week `slot` (0 = Monday 00:00);
 * `now` itself while inside that hour. The zone's offset is taken at the send instant, so a
 * daylight-saving change in between is respected: an hour that happens twice starts at its first
 * occurrence, an hour the spring-forward skips starts when the clocks jump (02:00 → 03:00).
 *
 * @example
 * nextSlotStart(34, Date.parse('2026-11-30T08:00:00Z'), 'UTC'); // Date.parse('2026-12-01T10:00:00Z') — Tuesday 10:00
 */
export function nextSlotStart(slot: number, now: number, timeZone: string | null | undefined): number {
  const offset = tzOffsetMinutes(timeZone, now) * 60_000;
  const local = now + offset;
  const hourStart = Math.floor(local / HOUR) * HOUR;
  const weekday = (new Date(hourStart).getUTCDay() + 6) % 7; // Monday = 0
  const current = weekday * 24 + new Date(hourStart).getUTCHours();
  const ahead = (slot - current + SLOTS) % SLOTS;
  if (ahead === 0) return now;
  const localStart = hourStart + ahead * HOUR;
  const at = localStart - tzOffsetMinutes(timeZone, localStart - offset) * 60_000;
  // Read back with the offset at that instant: the two agree unless the spring-forward skips this
  // local hour; then the later one is when the clocks jump, the hour's first instant that exists.
  return Math.max(at, localStart - tzOffsetMinutes(timeZone, at) * 60_000);
}

/**
 * Reads send times for many subjects with one prior (the live `send-time` model, read once). A
 * subject's counts include those of the profiles merged into it, as its estimates do.
 *
 * @example
 * const reader = await sendTimeReader(store, registry, settings.get(sendTimeKind));
 * const t = await reader(state, Date.now()); // { sendAt, slot, label, timezone, estimate }
 */
export async function sendTimeReader(store: Parameters<typeof combinedRows>[0], registry: ModelRegistry, settings: Pick<CompiledSendTime, 'minEvents' | 'maxRelativeWidth'>): Promise<(state: ProfileState, now: number) => Promise<SendTime>> {
  const prior = sendTimePrior(await registry.live<SendTimeModelState>('send-time'));
  return async (state, now) => {
    const row = (await combinedRows(store, state.id, [{ model: 'send-time', key: '' }])).get('send-time:');
    const { estimate, detail } = sendTimeNow(row as { state: SlotCounts; updatedAt: number } | undefined, prior, settings, now, state.timezone);
    return { sendAt: new Date(nextSlotStart(detail.slot, now, state.timezone)).toISOString(), slot: detail.slot, label: detail.label, timezone: state.timezone ?? 'UTC', estimate };
  };
}
