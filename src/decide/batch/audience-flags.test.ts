import { afterEach, describe, expect, it } from 'vitest';
import { KEYS, harness, send, type Harness } from '../../../test/harness.js';
import { shopConfig } from '../fixtures.js';
import { findProfile } from '../../profiles/lookup.js';
import { advertising, post } from '../test-http.js';
import { runAudience, type AudienceLine } from './audience-run.js';
import { EMAIL_OPEN_RATE, emailHistory } from '../../models/rates/email-fixture.js';
import { estimatesOf, ingest } from '../../store/conformance/learn-helpers.js';

describe('a batch audience sees the flags, accounts, segments and estimates of a profile', () => {
  let h: Harness;
  afterEach(async () => h.close());
  const run = async (audience: string) => {
    const lines: AudienceLine[] = [];
    for await (const l of runAudience(h.tact, { placement: 'weekly-email', audience, includeNone: true })) lines.push(l);
    const done = lines.find((l) => l.type === 'done') as Extract<AudienceLine, { type: 'done' }>;
    return { done, subjects: lines.flatMap((l) => (l.type === 'decision' ? [l.subject] : [])) };
  };

  it('an account flag on one of the profile\'s accounts (procurement delay: pause automated sequences)', async () => {
    h = await harness('sqlite', { config: shopConfig() });
    for (const userId of ['ann', 'bob']) await send(h.app, '/v1/identify', { userId, context: advertising });
    await send(h.app, '/v1/group', { userId: 'bob', groupId: 'globex' });
    await h.tact.consumers.runAll();
    const flagged = await post(h.app, '/v1/flags', { account: 'globex', name: 'procurement_delay', note: 'pause automated sequences', until: '2099-01-15' }, KEYS.admin);
    expect(flagged.statusCode, flagged.body).toBe(201);
    const bob = `profile:${(await findProfile(h.store.profiles, 'bob'))?.profileId}`;
    // Everyone not paused: bob's account is, so he is left out, as his decision would see it.
    const unpaused = await run('!has(flags.procurement_delay)');
    expect(unpaused.done).toMatchObject({ evaluated: 2, matched: 1, audienceErrors: 0 });
    expect(unpaused.subjects).not.toContain(bob);
    const paused = await run('has(flags.procurement_delay) && flags.procurement_delay.on == "account"');
    expect(paused.done).toMatchObject({ matched: 1 });
    expect(paused.subjects).toEqual([bob]);
  });

  it('the profile\'s accounts, as a decision\'s rules read them (`"globex" in accounts`)', async () => {
    // Until 2026-12-06 an audience had no `accounts`: every profile was an audience error, and none matched.
    h = await harness('sqlite', { config: shopConfig() });
    for (const userId of ['ann', 'bob', 'cy']) await send(h.app, '/v1/identify', { userId, context: advertising });
    await send(h.app, '/v1/group', { userId: 'bob', groupId: 'globex' });
    await send(h.app, '/v1/group', { userId: 'cy', groupId: 'initech' });
    await h.tact.consumers.runAll();
    const id = async (u: string) => `profile:${(await findProfile(h.store.profiles, u))?.profileId}`;
    const members = await run('"globex" in accounts');
    expect(members.done).toMatchObject({ evaluated: 3, matched: 1, audienceErrors: 0 });
    expect(members.subjects).toEqual([await id('bob')]);
    const none = await run('size(accounts) == 0');
    expect(none.done).toMatchObject({ matched: 1, audienceErrors: 0 });
    expect(none.subjects).toEqual([await id('ann')]);
  });

  it('the segments the profile is in now (`"runners" in segments`), a segment the configuration lacks refused by name', async () => {
    // Until 2026-12-06 an audience could not name a segment: `segments` was no variable, and an
    // operator re-wrote the segment's rule in the audience (and kept the two in step by hand).
    h = await harness('sqlite', { config: { ...shopConfig(), segments: { audiences: [{ name: 'runners', when: 'has(traits.club) && traits.club == "runners"' }, { name: 'pros', when: 'has(traits.plan) && traits.plan == "pro"' }] } } });
    await send(h.app, '/v1/identify', { userId: 'ann', traits: { club: 'runners' }, context: advertising });
    await send(h.app, '/v1/identify', { userId: 'bob', traits: { club: 'runners', plan: 'pro' }, context: advertising });
    await send(h.app, '/v1/identify', { userId: 'cy', traits: { plan: 'pro' }, context: advertising });
    await h.tact.consumers.runAll();
    const id = async (u: string) => `profile:${(await findProfile(h.store.profiles, u))?.profileId}`;
    const runners = await run('"runners" in segments');
    expect(runners.done).toMatchObject({ evaluated: 3, matched: 2, audienceErrors: 0 });
    expect(runners.subjects.sort()).toEqual([await id('ann'), await id('bob')].sort());
    const both = await run('"runners" in segments && "pros" in segments');
    expect(both.subjects).toEqual([await id('bob')]);
    // Right after an identify, before any consumer ran: the segment as the profile stands now.
    await send(h.app, '/v1/identify', { userId: 'cy', traits: { club: 'runners' } });
    expect((await run('"runners" in segments')).subjects).toContain(await id('cy'));
    // A misspelt segment would hold for no one: refused before any decision, naming the field and the segment meant.
    await expect(run('"runers" in segments')).rejects.toMatchObject({ problems: [{ field: 'audience', message: expect.stringContaining('did you mean `"runners"`') }] });
  });

  it('the profile\'s estimates, as a segment\'s rule reads them (`estimates.rates.email_open.value > 0.45`); a rate not configured, or send time while none is, refused by name', async () => {
    // Until 2026-12-06 late evening an audience had no `estimates`: "those likely to open" had to be
    // a segment first, evaluated when the models change, and the audience named the segment.
    h = await harness('sqlite', { config: { ...shopConfig(), rates: [EMAIL_OPEN_RATE] } });
    // Twelve subjects, eight e-mails each: the even ones open 80%, the odd ones 10% (email-fixture.ts).
    await ingest(h, emailHistory(12));
    for (let u = 0; u < 12; u++) await send(h.app, '/v1/identify', { userId: `u-${u}`, context: advertising });
    await h.tact.consumers.runAll();
    const likely: string[] = [];
    for (let u = 0; u < 12; u++) {
      const rate = (await estimatesOf(h, `u-${u}`)).estimates.find((e) => e.model === 'rate' && e.key === 'email_open')!;
      if (rate.value !== null && rate.value > 0.45) likely.push(`profile:${(await findProfile(h.store.profiles, `u-${u}`))?.profileId}`);
    }
    expect(likely.length).toBe(6);
    const openers = await run('estimates.rates.email_open.value > 0.45');
    expect(openers.done).toMatchObject({ evaluated: 12, matched: 6, audienceErrors: 0 });
    expect(openers.subjects.sort()).toEqual(likely.sort());
    await expect(run('estimates.rates.email_opn.value > 0.45')).rejects.toMatchObject({ problems: [{ field: 'audience', message: expect.stringContaining('did you mean `estimates.rates.email_open`') }] });
    await expect(run('estimates.sendTime.slot == 34')).rejects.toMatchObject({ problems: [{ field: 'audience', message: expect.stringContaining('no send time is configured') }] });
  });
});
