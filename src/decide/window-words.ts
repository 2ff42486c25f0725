/**
 * A window as an operator wrote it, in its largest whole unit ("7 days", "36 h", "90 min", "90 s"):
 * how the contact policy's verdicts and the outcome warnings name an attribution or cap window.
 *
 * @example
 * windowWords(7 * 86_400_000); // "7 days"
 */
export function windowWords(windowMs: number): string {
  const ms = Math.round(windowMs); // "1.1h" parses to 3,960,000.0000000005 ms
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000} day${ms === 86_400_000 ? '' : 's'}`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  return ms % 60_000 === 0 ? `${ms / 60_000} min` : `${ms / 1000} s`;
}
