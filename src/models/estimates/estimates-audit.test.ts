import { afterEach, describe, expect, it } from 'vitest';
import { get, harness, send, type Harness } from '../../../test/harness.js';
import { minEvidenceFor } from '../../learn/rates/beta-binomial.js';

// Issue 4: every inferred number is an Estimate {value, low, high, level, evidence, source, status,
// modelVersion, updatedAt}; "learning" while the interval is wider than the policy's threshold; the
// ladder climbed population → segment → micro-segment → personal only as evidence earns it.
const config = {
  metrics: [{ name: 'session_length', event: 'Session Ended', property: 'duration' }],
  sendTime: { engagement: [{ event: 'Email Opened' }] },
  rates: [{ name: 'email_open', exposure: 'Email Delivered', success: 'Email Opened', within: '3d', maxWidth: 0.2 }],
};
const DAY = 86_400_000;

interface View { model: string; key: string; value: number | null; low: number | null; high: number | null; level: number; evidence: number; source: string; status: string; modelVersion: string; updatedAt: string | null; reading: string; detail?: Record<string, unknown> }

/** What the issue asks of every estimate the API returns, checked field by field. */
function audit(e: View): void {
  for (const f of ['value', 'low', 'high', 'level', 'evidence', 'source', 'status', 'modelVersion', 'updatedAt', 'reading']) expect(e, `${e.model} ${e.key}: ${f}`).toHaveProperty(f);
  expect(e.level).toBeGreaterThan(0);
  expect(e.level).toBeLessThan(1);
  expect(Number.isInteger(e.evidence) && e.evidence >= 0).toBe(true);
  expect(['population', 'segment', 'micro-segment', 'personal']).toContain(e.source);
  expect(['learning', 'established']).toContain(e.status);
  expect(e.modelVersion).toMatch(/^[a-z-]+@(\d+|default)$/);
  // When the evidence it rests on last changed; null only when it rests on nothing observed yet.
  if (e.updatedAt !== null) expect(new Date(e.updatedAt).toISOString()).toBe(e.updatedAt);
  if (e.low !== null && e.high !== null && e.value !== null) {
    expect(e.low).toBeLessThanOrEqual(e.value);
    expect(e.value).toBeLessThanOrEqual(e.high);
  }
  // Established only with a bounded interval.
  if (e.status === 'established') expect(e.low !== null && e.high !== null).toBe(true);
}

describe('the estimates the API returns, audited against issue 4', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('gives every field, true to the model: learning while too wide, the ladder climbed only as evidence earns it', async () => {
    const t = (h = await harness('sqlite', { config }));
    const start = Date.now() - 60 * DAY;
    // 30 readers: 20 e-mails each over 40 days, the even ones open 80%, the odd ones 10%.
    for (let u = 0; u < 30; u++) {
      for (let k = 0; k < 20; k++) {
        const at = start + k * 2 * DAY + u * 60_000;
        await send(t.app, '/v1/track', { userId: `u${u}`, event: 'Email Delivered', timestamp: new Date(at).toISOString() });
        if ((k * 7 + u) % 10 < (u % 2 ? 1 : 8)) await send(t.app, '/v1/track', { userId: `u${u}`, event: 'Email Opened', timestamp: new Date(at + 3_600_000).toISOString() });
      }
      for (let k = 0; k < 3; k++) await send(t.app, '/v1/track', { userId: `u${u}`, event: 'Session Ended', properties: { duration: 200 + k }, timestamp: new Date(start + k * DAY).toISOString() });
    }
    // A newcomer with one e-mail.
    await send(t.app, '/v1/track', { userId: 'new', event: 'Email Delivered' });
    await t.tact.consumers.runAll();

    for (const who of ['u0', 'u1', 'new']) {
      const body = (await get(t.app, `/v1/profiles/${who}/estimates`)).json() as { estimates: View[] };
      expect(body.estimates.map((e) => e.model).sort()).toEqual(['baseline', 'rate', 'send-time']);
      for (const e of body.estimates) audit(e);
      const rate = body.estimates.find((e) => e.model === 'rate')!;
      // The rung shown is the deepest earned one, and "earned" is its own data's share of its posterior.
      const rungs = rate.detail!.rungs as { rung: string; trials: number; dataWeight: number; earned: boolean }[];
      for (const r of rungs) expect(r.earned).toBe(r.dataWeight >= 0.2);
      expect(rate.source).toBe(rungs.filter((r) => r.earned).pop()!.rung);
      // Established only when narrow enough and on enough trials at that rung.
      const chosen = rungs.filter((r) => r.earned).pop()!;
      const narrow = rate.high! - rate.low! <= 0.2;
      expect(rate.status === 'established').toBe(narrow && chosen.trials >= minEvidenceFor(0.2, 0.9));
      if (who === 'new') expect(rate).toMatchObject({ source: 'population' });
      else expect(rate).toMatchObject({ source: 'personal', evidence: 20 });
    }
  });
});
