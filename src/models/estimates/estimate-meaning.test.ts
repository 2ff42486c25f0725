import { afterEach, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../../../test/harness.js';
import { DAY, estimatesOf, ingest, track } from '../../store/conformance/learn-helpers.js';

// Issue 4: every inferred number is an Estimate {…, evidence (n), …, updatedAt}. One meaning for
// each field, whatever the model: `updatedAt` is when the evidence the estimate rests on last
// changed (not the time it was read), `evidence` the n its shown interval rests on (the
// population's under a population interval; the subject's own count apart, in `detail`).
const config = {
  metrics: [{ name: 'session_length', event: 'Session Ended', property: 'duration' }],
  sendTime: { engagement: [{ event: 'Email Opened' }] },
  rates: [{ name: 'email_open', exposure: 'Email Delivered', success: 'Email Opened', within: '1d' }],
};
type Listed = Awaited<ReturnType<typeof estimatesOf>>['estimates'][number] & { updatedAt: string | null };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Ten readers, each with 8 e-mails (some opened) and 3 sessions, spread over the last 40 days. */
function history(): object[] {
  const start = Date.now() - 40 * DAY;
  const out: object[] = [];
  for (let u = 0; u < 10; u++) {
    for (let k = 0; k < 8; k++) {
      const at = start + k * 4 * DAY + u * 60_000;
      out.push(track(`u${u}`, 'Email Delivered', {}, at));
      if ((k + u) % 3 === 0) out.push(track(`u${u}`, 'Email Opened', {}, at + 3_600_000));
    }
    for (let k = 0; k < 3; k++) out.push(track(`u${u}`, 'Session Ended', { duration: 200 + 10 * u + k }, start + k * DAY));
  }
  return out;
}

describe('what an estimate\'s `updatedAt` and `evidence` mean', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('`updatedAt` is when its evidence last changed: the same on every reading while nothing changes, not the time of reading', async () => {
    const t = (h = await harness('sqlite', { config }));
    await ingest(t, history());
    const learnedBy = Date.now();
    await sleep(15);
    const first = (await estimatesOf(t, 'u1')).estimates as Listed[];
    await sleep(15);
    const again = (await estimatesOf(t, 'u1')).estimates as Listed[];
    expect(first.map((e) => e.model).sort()).toEqual(['baseline', 'rate', 'send-time']);
    for (const e of first) {
      const later = again.find((x) => x.model === e.model && x.key === e.key)!;
      // Until 2026-12-04 a rate and a send time said the time they were read, a baseline when its row was written.
      expect(later.updatedAt, e.model).toBe(e.updatedAt);
      if (e.updatedAt !== null) expect(Date.parse(e.updatedAt), e.model).toBeLessThanOrEqual(learnedBy);
    }
    // The send time rests on the untrained flat prior alone (3 opens earn no personal slot): nothing observed.
    expect(first.find((e) => e.model === 'send-time')).toMatchObject({ source: 'population', updatedAt: null });
    expect(first.find((e) => e.model === 'rate')!.updatedAt).not.toBeNull();
  });

  it('`evidence` of a population-sourced estimate is the population\'s n; the subject\'s own is given apart', async () => {
    const t = (h = await harness('sqlite', { config }));
    await ingest(t, history());
    const trained = await t.tact.learning.train(['send-time', 'baselines', 'rates'], 'test');
    const metrics = Object.fromEntries(trained.map((r) => [r.model, r.metrics as Record<string, unknown>]));
    expect(trained.every((r) => r.version !== undefined && r.promotion?.promoted)).toBe(true);
    const live = async (name: string) => new Date((await t.tact.learning.registry.live(name))!.dataTo).toISOString();
    // A newcomer: no row of its own anywhere.
    await ingest(t, [track('new', 'Signed Up', {}, Date.now())]);
    const fresh = (await estimatesOf(t, 'new')).estimates as Listed[];
    const sendTime = fresh.find((e) => e.model === 'send-time')!;
    const baseline = fresh.find((e) => e.model === 'baseline')!;
    const rate = fresh.find((e) => e.model === 'rate')!;
    // Until 2026-12-04: send time 0, a baseline 0 (with a row: the subject's readings), a rate the population's trials.
    expect(sendTime).toMatchObject({ source: 'population', evidence: metrics['send-time'].events, updatedAt: await live('send-time'), detail: { events: 0 } });
    expect(baseline).toMatchObject({ source: 'population', evidence: (metrics.baselines.session_length as { readings: number }).readings, updatedAt: await live('baselines'), detail: { readings: 0 } });
    expect(rate).toMatchObject({ source: 'population', evidence: 80, updatedAt: await live('rates') });
    // A reader with 3 sessions of its own, still learning: the range is the pool's, and so is its n.
    const u1 = (await estimatesOf(t, 'u1')).estimates.find((e) => e.model === 'baseline') as Listed;
    expect(u1).toMatchObject({ source: 'population', evidence: 30, updatedAt: await live('baselines'), detail: { readings: 3 } });
  });
});
