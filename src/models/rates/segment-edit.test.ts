import { afterEach, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../../../test/harness.js';
import { DAY, estimatesOf, ingest, putConfig, track } from '../../store/conformance/learn-helpers.js';

// A segment's group row counts the exposures of the subjects whose ladder segment it was when they
// were exposed (docs/models.md §1, "Group rows accrue at exposure time"): an edited rule keeps the
// trials its row holds and adds the new members' from then on. This pins that documented behaviour.
const rate = { name: 'email_open', exposure: 'Email Delivered', success: 'Email Opened', within: '1d' };
const config = (min: number) => ({
  features: [{ name: 'revenue', kind: 'sum', event: 'Order Completed', property: 'revenue' }],
  segments: { audiences: [{ name: 'big', when: `features.revenue >= ${min}.0` }] },
  rates: [rate],
});

describe('a segment\'s group row after its rule is edited', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('keeps the old members\' trials and counts the new members\' from the edit on', async () => {
    const t = (h = await harness('sqlite', { config: config(500) }));
    const now = Date.now();
    const deliveries = (id: string, n: number, from: number) => Array.from({ length: n }, (_, k) => track(id, 'Email Delivered', {}, from + k * DAY));
    await ingest(t, [track('a', 'Order Completed', { revenue: 600 }, now - 30 * DAY), track('b', 'Order Completed', { revenue: 450 }, now - 30 * DAY), track('c', 'Order Completed', { revenue: 450 }, now - 30 * DAY)]);
    await ingest(t, [...deliveries('a', 10, now - 20 * DAY), ...deliveries('b', 6, now - 20 * DAY)]);
    const segmentTrials = async (id: string) => ((await estimatesOf(t, id)).estimates.find((e) => e.model === 'rate')!.detail!.rungs as { rung: string; trials: number }[]).find((r) => r.rung === 'segment')?.trials;
    expect(await segmentTrials('a')).toBe(0); // a's own 10 are left out of its own segment rung
    expect((await putConfig(t, 'segments', config(400).segments)).statusCode).toBe(200);
    await t.tact.learning.settled();
    // c (revenue 450, no e-mails) is now in `big`: its row still holds a's 10 trials, not b's 6.
    expect(await segmentTrials('c')).toBe(10);
    await ingest(t, deliveries('b', 1, now - DAY));
    expect(await segmentTrials('c')).toBe(11);
  });
});
