import { type Harness, send } from '../../../test/harness.js';
import { track } from '../../store/conformance/learn-helpers.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** The rate the comparison tests learn: opens of delivered e-mails within a day. */
export const EMAIL_OPEN_RATE = { name: 'email_open', exposure: 'Email Delivered', success: 'Email Opened', within: '1d' };

/** Even subjects open 80% of their e-mails, odd ones 10% (a fixed pattern, no random numbers). */
export const opensEmail = (u: number, k: number) => (k * 37 + u * 11) % 10 < (u % 2 === 0 ? 8 : 1);

/**
 * E-mail k of subject `u-<u>`, sent `40 − k` days ago, and its open an hour later when
 * {@link opensEmail} says so: every window has closed by now.
 *
 * @example
 * for (let k = 0; k < 8; k++) await emailExposure(h, 3, k);
 */
export async function emailExposure(h: Harness, u: number, k: number): Promise<void> {
  const at = Date.now() - (40 - k) * DAY;
  await send(h.app, '/v1/track', { userId: `u-${u}`, event: 'Email Delivered', timestamp: new Date(at).toISOString() });
  if (opensEmail(u, k)) await send(h.app, '/v1/track', { userId: `u-${u}`, event: 'Email Opened', timestamp: new Date(at + HOUR).toISOString() });
}

/**
 * The e-mails of subjects `u-0` … `u-<subjects − 1>`, 8 each as {@link emailExposure} sends them,
 * as messages for one batch ingest (800 trials for 100 subjects).
 *
 * @example
 * await ingest(h, emailHistory(100));
 */
export function emailHistory(subjects: number): object[] {
  const messages: object[] = [];
  for (let u = 0; u < subjects; u++) {
    for (let k = 0; k < 8; k++) {
      const at = Date.now() - (40 - k) * DAY;
      messages.push(track(`u-${u}`, 'Email Delivered', {}, at));
      if (opensEmail(u, k)) messages.push(track(`u-${u}`, 'Email Opened', {}, at + HOUR));
    }
  }
  return messages;
}
