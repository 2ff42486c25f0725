import { afterEach, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../../../test/harness.js';
import { type TrialState, countsAt } from '../../learn/rates/rate-trials.js';
import { DAY, estimatesOf, ingest, putConfig, track } from '../../store/conformance/learn-helpers.js';
import { ratesKind } from './rates-kind.js';

// QA, 2026-12-06: `email_open` redefined (success `Email Opened` → `Email Clicked`) under the same
// name; a subject with 72 opens of 80 deliveries still read 0.83 (no click exists anywhere): the new
// consumer's replay skipped every event the old rows were already past. Counts here are exact
// (no statistics): each subject's 10 deliveries and 9 opens, windows closed.
const opened = { name: 'email_open', exposure: 'Email Delivered', success: 'Email Opened', within: '3d' };
const clicked = { ...opened, success: 'Email Clicked' };
const H = 3_600_000;
const openers = { audiences: [{ name: 'openers', when: 'estimates.rates.email_open.value > 0.5' }] };

async function tenDeliveriesNineOpens(t: Harness, ids: string[]): Promise<void> {
  const start = Date.now() - 30 * DAY;
  await ingest(t, ids.flatMap((id) => Array.from({ length: 10 }, (_, k) => [track(id, 'Email Delivered', {}, start + k * DAY), ...(k < 9 ? [track(id, 'Email Opened', {}, start + k * DAY + H)] : [])]).flat()));
}

async function ownCounts(t: Harness, id: string, def: typeof opened) {
  const [rate] = ratesKind.compile([def]);
  const profile = (await estimatesOf(t, id)).id;
  const rows = await t.store.estimates.scan('rate', 'email_open', '', 100);
  return countsAt(rows.find((r) => r.subjectId === profile)!.state as TrialState, Date.now(), rate.windowMs);
}

const population = async (t: Harness) => (await t.store.estimates.scan('rate', 'email_open', '', 100)).find((r) => r.subjectId === 'population')!.state;

describe('a rate redefined under the same name', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('is counted again from the start of the log for every subject, and segments reading it follow', async () => {
    const t = (h = await harness('sqlite', { config: { rates: [opened], segments: openers } }));
    await tenDeliveriesNineOpens(t, ['ana', 'bob']);
    for (const id of ['ana', 'bob']) {
      expect(await ownCounts(t, id, opened)).toEqual({ successes: 9, trials: 10 });
      expect((await estimatesOf(t, id)).segments).toContain('openers');
    }
    expect((await putConfig(t, 'rates', [clicked])).statusCode).toBe(200);
    await t.tact.learning.settled();
    await t.tact.consumers.runAll();
    for (const id of ['ana', 'bob']) {
      expect(await ownCounts(t, id, clicked)).toEqual({ successes: 0, trials: 10 });
      const answer = await estimatesOf(t, id);
      expect(answer.estimates.find((e) => e.model === 'rate')).toMatchObject({ source: 'personal', evidence: 10 });
      expect(answer.estimates.find((e) => e.model === 'rate')!.value!).toBeLessThan(0.2);
      expect(answer.segments).not.toContain('openers');
    }
    expect(await population(t)).toMatchObject({ successes: 0, trials: 20 });
  });

  it('an unchanged definition is not counted twice when the rates (or another kind) change otherwise', async () => {
    const t = (h = await harness('sqlite', { config: { rates: [opened], segments: openers } }));
    await tenDeliveriesNineOpens(t, ['ana', 'bob']);
    const click = { name: 'email_click', exposure: 'Email Delivered', success: 'Email Clicked', within: '3d' };
    expect((await putConfig(t, 'rates', [{ ...opened, description: 'Opens of delivered e-mails.' }, click])).statusCode).toBe(200);
    expect((await putConfig(t, 'segments', { audiences: [...openers.audiences, { name: 'all', when: 'true' }] })).statusCode).toBe(200);
    await t.tact.learning.settled();
    await t.tact.consumers.runAll();
    for (const id of ['ana', 'bob']) expect(await ownCounts(t, id, opened)).toEqual({ successes: 9, trials: 10 });
    expect(await population(t)).toMatchObject({ successes: 18, trials: 20 });
  });

  it('a subject with none of the new definition\'s events reads no evidence (its row of the old one is not read)', async () => {
    const t = (h = await harness('sqlite', { config: { rates: [opened] } }));
    await tenDeliveriesNineOpens(t, ['ana']);
    expect((await putConfig(t, 'rates', [{ ...opened, exposure: 'Push Sent' }])).statusCode).toBe(200);
    await t.tact.learning.settled();
    await t.tact.consumers.runAll();
    expect((await estimatesOf(t, 'ana')).estimates.find((e) => e.model === 'rate')).toMatchObject({ evidence: 0, source: 'population' });
  });
});
