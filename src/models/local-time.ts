/**
 * Local time for the models that care about it (send time by hour of week, baselines by hour of
 * day): a profile's IANA time zone (from `context.timezone`) turned into an offset at an instant.
 */
const formatters = new Map<string, Intl.DateTimeFormat | null>();

function formatter(timeZone: string): Intl.DateTimeFormat | null {
  if (!formatters.has(timeZone)) {
    try {
      formatters.set(timeZone, new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' }));
    } catch {
      formatters.set(timeZone, null);
    }
  }
  return formatters.get(timeZone) ?? null;
}

/**
 * Minutes east of UTC of a time zone at an instant; 0 (UTC) for a missing or unknown zone.
 *
 * @example
 * tzOffsetMinutes('Europe/Paris', Date.parse('2026-07-01T12:00:00Z')); // 120
 */
export function tzOffsetMinutes(timeZone: string | null | undefined, at: number): number {
  if (!timeZone) return 0;
  const f = formatter(timeZone);
  if (!f) return 0;
  const p = Object.fromEntries(f.formatToParts(new Date(at)).map((x) => [x.type, x.value]));
  // setUTCFullYear, not Date.UTC: Date.UTC reads a year from 0 to 99 as 1900–1999 (until 2026-12-06
  // a time in the year 50 was 1,900 years off its zone, so in the wrong weekday and hour).
  const d = new Date(0);
  d.setUTCFullYear(Number(p.year), Number(p.month) - 1, Number(p.day));
  d.setUTCHours(Number(p.hour), Number(p.minute), 0, 0);
  const local = d.getTime();
  return Math.round((local - Math.floor(at / 60_000) * 60_000) / 60_000);
}

/**
 * Hours since 1970-01-01T00:00 in the zone's local time (the baselines' hour index).
 *
 * @example
 * localHour(Date.parse('1970-01-01T05:00:00Z'), 'UTC'); // 5
 */
export function localHour(at: number, timeZone: string | null | undefined): number {
  return Math.floor((at + tzOffsetMinutes(timeZone, at) * 60_000) / 3_600_000);
}

const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

/**
 * A send-time slot (0 = Monday 00:00 … 167 = Sunday 23:00) in words.
 *
 * @example
 * slotLabel(34); // 'Tuesday 10:00'
 */
export function slotLabel(slot: number): string {
  return `${DAYS[Math.floor(slot / 24)]} ${String(slot % 24).padStart(2, '0')}:00`;
}
