import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, send, type Harness, type StoreKind } from '../../../test/harness.js';
import type { ProfileState } from '../../profiles/profile-state.js';
import type { ProfileStore } from '../../profiles/profile-store.js';
import { DAY, ingest, track } from '../../store/conformance/learn-helpers.js';
import type { TrainContext } from '../train/trainer.js';
import { ratesTrainer } from './rates-trainer.js';
import { countedCalls } from '../../../test/counted-calls.js';

const H = 3_600_000;
const SUBJECTS = 600; // past the 500 ids one PostgreSQL query names
const config = {
  features: [{ name: 'revenue', kind: 'sum', event: 'Order Completed', property: 'revenue' }],
  rates: [{ name: 'email_open', exposure: 'Email Delivered', success: 'Email Opened', within: '3d' }],
  segments: { audiences: [{ name: 'big', when: 'features.revenue >= 500.0' }, { name: 'small', when: 'features.revenue < 500.0' }] },
};


/** The reads as they were before the batched read: one getProfile per subject. */
const oneByOne = (profiles: ProfileStore): ProfileStore => Object.create(profiles, {
  getProfiles: {
    value: async (ids: readonly string[]) => {
      const out = new Map<string, ProfileState>();
      for (const id of ids) {
        const s = await profiles.getProfile(id);
        if (s) out.set(id, s);
      }
      return out;
    },
  },
}) as ProfileStore;

describe.each<StoreKind>(['sqlite', 'postgres'])('the rates training reads its subjects\' profiles in batches (%s)', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness(kind, { config });
    const now = Date.now();
    const messages: object[] = [];
    // Half the subjects in segment `big` opening 3 of 4 e-mails, half in `small` opening 1 of 4.
    for (let u = 0; u < SUBJECTS; u++) {
      messages.push(track(`rr-${u}`, 'Order Completed', { revenue: u % 2 ? 600 : 100 }, now - 50 * DAY));
      for (let k = 0; k < 4; k++) {
        messages.push(track(`rr-${u}`, 'Email Delivered', {}, now - (30 - k) * DAY));
        if ((u + k) % 4 < (u % 2 ? 3 : 1)) messages.push(track(`rr-${u}`, 'Email Opened', {}, now - (30 - k) * DAY + H));
      }
    }
    await ingest(h, messages);
    // Ten visitors e-mailed before they log in: their rows are under ids merged away since.
    for (let v = 0; v < 10; v++) {
      await send(h.app, '/v1/track', { anonymousId: `rr-v-${v}`, event: 'Email Delivered', timestamp: new Date(now - 20 * DAY).toISOString() });
      await send(h.app, '/v1/identify', { anonymousId: `rr-v-${v}`, userId: `rr-${v}` });
    }
    await h.tact.consumers.runAll();
  }, 120_000);
  afterAll(async () => h.close());

  it('fits the same κ and metrics as one read per subject, and reads no profile alone', async () => {
    const now = Date.now();
    const ctx = (profiles: ProfileStore): TrainContext => ({
      store: Object.create(h.tact.store, { profiles: { value: profiles } }) as TrainContext['store'],
      settings: h.tact.settings, registry: h.tact.learning.registry, now, log: () => undefined,
    });
    const before = await ratesTrainer.train(ctx(oneByOne(h.store.profiles)));
    const { profiles, calls } = countedCalls(h.store.profiles);
    const batched = await ratesTrainer.train(ctx(profiles));
    expect(batched).toEqual(before);

    // What was compared: a fitted version over every subject, placed in both segments.
    expect(before).toMatchObject({ state: { rates: { email_open: { concentration: {} } } } });
    const m = (before as { metrics: Record<string, { groups: { segments: number; subjects: number } }> }).metrics.email_open;
    expect(m.groups.segments).toBe(2);
    expect(m.groups.subjects).toBeGreaterThanOrEqual(SUBJECTS);

    // One page of subjects (≤ 2,000 rows): one batched read, where it was one getProfile each (until 2026-12-06).
    expect(calls.getProfiles).toBe(1);
    expect(calls.getProfile ?? 0).toBe(0);
  });
});
