import { afterEach, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../../../test/harness.js';
import { type TrialState, countsAt } from '../../learn/rates/rate-trials.js';
import { DAY, estimatesOf, ingest, track } from '../../store/conformance/learn-helpers.js';
import { ratesKind } from './rates-kind.js';

// QA, 2026-12-05: 10 deliveries one a day, then (a later batch) their 10 opens an hour after each,
// read 3 of 10: folding each delivery at its own time had closed the older trials as failures
// before any open arrived. Opens folded before their deliveries counted nothing.
const def = { name: 'email_open', exposure: 'Email Delivered', success: 'Email Opened', within: '3d' };
const [rate] = ratesKind.compile([def]);
const H = 3_600_000;

describe('a rate folded out of time order', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  for (const order of ['deliveries then opens', 'opens then deliveries'] as const) {
    it(`${order}, in two batches: 10 of 10, in the subject's row and the population's`, async () => {
      const t = (h = await harness('sqlite', { config: { rates: [def] } }));
      const start = Date.now() - 20 * DAY;
      const sent = Array.from({ length: 10 }, (_, k) => track('ana', 'Email Delivered', {}, start + k * DAY));
      const opened = Array.from({ length: 10 }, (_, k) => track('ana', 'Email Opened', {}, start + k * DAY + H));
      const [first, second] = order === 'deliveries then opens' ? [sent, opened] : [opened, sent];
      await ingest(t, first);
      await ingest(t, second);
      const answer = await estimatesOf(t, 'ana');
      const rows = await t.store.estimates.scan('rate', 'email_open', '', 100);
      const own = rows.find((r) => r.subjectId === answer.id)!;
      expect(countsAt(own.state as TrialState, Date.now(), rate.windowMs)).toEqual({ successes: 10, trials: 10 });
      expect(rows.find((r) => r.subjectId === 'population')!.state).toMatchObject({ successes: 10, trials: 10 });
      expect(answer.estimates.find((x) => x.model === 'rate')).toMatchObject({ source: 'personal', evidence: 10 });
    });
  }
});
