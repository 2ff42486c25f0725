import type { Violation } from './collect-store.js';
import type { Message } from './message.js';
import { knownZone } from '../profiles/profile-state.js';

/** The rule a `context.timezone` the server does not know breaks; never a reason to block. */
export const TIMEZONE_RULE = 'timezone';

/**
 * The warning a message earns whose `context.timezone` is no IANA zone the server knows
 * (`Mars/Olympus`, `EST5EDT-bad`, a number): Segment takes such a message, and so does Tact — it
 * is stored with its context as sent — but the profile keeps its last known zone, so quiet hours
 * and send times do not follow the one sent. Counted with the tracking plan's violations (on every
 * call, planned or not, whether a plan is set or not), under the call's event (`identify`, `page`
 * … for the other calls), property `context.timezone`, rule `timezone`. The detail does not quote
 * the value, as no violation's does. Undefined when there is nothing to say (no zone, `null`, a
 * known one).
 *
 * @example
 * timezoneViolation({ type: 'page', context: { timezone: 'Mars/Olympus' }, … });
 * // → { event: 'page', property: 'context.timezone', rule: 'timezone', field: 'context.timezone', detail: '`context.timezone` is not a time zone …' }
 */
export function timezoneViolation(m: Message): Violation | undefined {
  const tz = (m.context as { timezone?: unknown }).timezone;
  if (tz === undefined || tz === null || (typeof tz === 'string' && knownZone(tz))) return undefined;
  const what = typeof tz === 'string' ? 'is not a time zone this server knows' : 'is not a time zone name';
  return {
    event: m.type === 'track' && m.event !== undefined ? m.event : m.type,
    property: 'context.timezone',
    rule: TIMEZONE_RULE,
    detail: `\`context.timezone\` ${what} (an IANA name such as "Europe/Paris"): the message was kept, and its profile keeps the last known zone for quiet hours and send times`,
    field: 'context.timezone',
  };
}
