const formats = new Map<string, Intl.DateTimeFormat>();
/**
 * Formatters kept at most: a zone name is matched without regard to case, so the spellings of
 * valid names a client can send are countless; past this many the cache starts again.
 */
export const MAX_ZONE_FORMATS = 1_000;

/**
 * Minutes since local midnight at `at` in time zone `tz` (an IANA name), or undefined when the
 * runtime does not know the zone.
 *
 * @example
 * localMinutes(Date.parse('2026-06-01T21:30:00Z'), 'Europe/London'); // 1350 (22:30 BST)
 */
export function localMinutes(at: number, tz: string): number | undefined {
  let f = formats.get(tz);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-GB', { timeZone: tz, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    } catch {
      return undefined;
    }
    if (formats.size >= MAX_ZONE_FORMATS) formats.clear();
    formats.set(tz, f);
  }
  let h = 0;
  let m = 0;
  for (const p of f.formatToParts(at)) {
    if (p.type === 'hour') h = Number(p.value);
    else if (p.type === 'minute') m = Number(p.value);
  }
  return h * 60 + m;
}

/** How many zone formatters are cached (for tests). @example cachedZoneFormats() // 3 */
export function cachedZoneFormats(): number {
  return formats.size;
}

/** Whether minute `m` of the day lies in [from, to), wrapping past midnight. @example inWindow(22 * 60, 21 * 60, 8 * 60) // true */
export function inWindow(m: number, from: number, to: number): boolean {
  return from <= to ? m >= from && m < to : m >= from || m < to;
}

/** Minutes since midnight as a clock reading. @example clock(1334) // "22:14" */
export function clock(m: number): string {
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}
