import { afterEach, describe, expect, it, vi } from 'vitest';
import { harness, send, type Harness } from '../../test/harness.js';
import { ingest, track } from '../store/conformance/learn-helpers.js';

const HOUR = 3_600_000;

const features = [{ name: 'orders', kind: 'count', event: 'Order Completed' }];
const config = { features, segments: { audiences: [{ name: 'buyers', when: 'features.orders >= 1.0' }] } };

describe('the segment a decision reads', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
    vi.useRealTimers();
  });

  it('follows the event just answered, before the membership consumer has run', async () => {
    const t = (h = await harness('sqlite', { config }));
    await send(t.app, '/v1/track', track('u-1', 'Page Viewed', {}, Date.now() - 2000));
    await t.tact.consumers.runAll();
    const stateOf = async () => (await t.store.profiles.getProfile((await t.store.profiles.findProfileId('userId', 'u-1'))!))!;
    expect((await t.tact.learning.decisionInputs.fetch(await stateOf(), { rules: false, now: Date.now() })).position.segment).toBeNull();
    // The consumer is held: the order is committed and answered, its membership not yet recorded.
    const runAll = t.tact.consumers.runAll.bind(t.tact.consumers);
    let release!: () => void;
    const held = new Promise<void>((r) => { release = r; });
    t.tact.consumers.runAll = () => held.then(runAll);
    try {
      expect((await send(t.app, '/v1/track', track('u-1', 'Order Completed', {}, Date.now() - 1000))).statusCode).toBe(200);
      expect((await t.tact.learning.decisionInputs.fetch(await stateOf(), { rules: false, now: Date.now() })).position).toMatchObject({ segment: 'buyers', segments: ['buyers'] });
    } finally {
      release();
    }
    await runAll();
    expect((await t.store.segments.members('buyers', '', 10)).length).toBe(1);
  });

  it('follows the event just answered for a rule whose feature is named like the estimates (it reads none)', async () => {
    const quoted = [{ name: 'estimates_requested', kind: 'count', event: 'Estimate Requested' }];
    const t = (h = await harness('sqlite', { config: { features: quoted, segments: { audiences: [{ name: 'quoted', when: 'features.estimates_requested >= 1.0' }] } } }));
    await send(t.app, '/v1/track', track('u-1', 'Page Viewed', {}, Date.now() - 2000));
    await t.tact.consumers.runAll();
    const stateOf = async () => (await t.store.profiles.getProfile((await t.store.profiles.findProfileId('userId', 'u-1'))!))!;
    const runAll = t.tact.consumers.runAll.bind(t.tact.consumers);
    let release!: () => void;
    const held = new Promise<void>((r) => { release = r; });
    t.tact.consumers.runAll = () => held.then(runAll);
    try {
      expect((await send(t.app, '/v1/track', track('u-1', 'Estimate Requested', {}, Date.now() - 1000))).statusCode).toBe(200);
      expect((await t.tact.learning.ladderPosition(await stateOf(), Date.now())).segments).toEqual(['quoted']);
    } finally {
      release();
    }
    await runAll();
  });

  it('holds a rule on time the moment the time passes, before the sweep records it', async () => {
    const T = Date.UTC(2026, 5, 1, 12);
    vi.useFakeTimers({ now: T, toFake: ['Date'] });
    const t = (h = await harness('sqlite', { config: { segments: { audiences: [{ name: 'lapsed', when: 'lastSeen < now - duration("1h")' }] } } }));
    await ingest(t, [track('u-1', 'Page Viewed', {}, T - 30 * 60_000)]);
    const state = (await t.store.profiles.getProfile((await t.store.profiles.findProfileId('userId', 'u-1'))!))!;
    expect((await t.tact.learning.ladderPosition(state, Date.now())).segments).toEqual([]);
    vi.setSystemTime(T + HOUR);
    expect((await t.tact.learning.ladderPosition(state, Date.now())).segments).toEqual(['lapsed']);
    // The stored membership follows at the sweep.
    expect(await t.store.segments.counts()).toEqual([]);
    await t.tact.learning.membership.sweep();
    expect((await t.store.segments.members('lapsed', '', 10)).map((m) => m.profileId)).toEqual([state.id]);
  });
});
