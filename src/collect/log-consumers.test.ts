import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { harness, send, type Harness } from '../../test/harness.js';
import { LogConsumers, type LoggedEvent } from './log-consumers.js';

describe('log consumers', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness('sqlite');
  });
  afterEach(async () => h.close());

  it('see every stored event once, in log order, right after the commit, and resume where they stopped', async () => {
    const seen: LoggedEvent[] = [];
    let fail = true;
    h.tact.consumers.register({
      name: 'test',
      handle: async (events) => {
        if (fail && events.some((e) => e.message.event === 'Boom')) {
          fail = false;
          throw new Error('first try fails');
        }
        seen.push(...events);
      },
    });
    for (let i = 0; i < 5; i++) await send(h.app, '/v1/track', { userId: 'c1', event: i === 3 ? 'Boom' : `E${i}` });
    await h.tact.consumers.runAll();
    await h.tact.consumers.runAll();
    expect(seen.map((e) => e.message.event)).toEqual(['E0', 'E1', 'E2', 'Boom', 'E4']);
    expect(seen.map((e) => e.seq)).toEqual([...seen.map((e) => e.seq)].sort((a, b) => a - b));
  });

  it('take their lease once and renew it only when less than 20 s are left, not on every wake-up (each lease is a commit)', async () => {
    let now = 1_000_000;
    const consumers = new LogConsumers(h.store, { now: () => now });
    const leases: string[] = [];
    const lease = h.store.documents.leaseJob.bind(h.store.documents);
    h.store.documents.leaseJob = (id, owner, ms) => {
      if (id === 'consumer:leases') leases.push(id);
      return lease(id, owner, ms);
    };
    const seen: string[] = [];
    consumers.register({ name: 'leases', handle: async (events) => void seen.push(...events.map((e) => e.message.event ?? '')) });
    for (let i = 0; i < 3; i++) {
      await send(h.app, '/v1/track', { userId: 'c1', event: `E${i}` });
      await consumers.runAll();
      now += 4_000;
    }
    expect(seen).toEqual(['E0', 'E1', 'E2']);
    expect(leases).toEqual(['consumer:leases']);
    now += 10_000; // 22 s after the lease was taken: 8 s left, so the next wake-up renews it
    await send(h.app, '/v1/track', { userId: 'c1', event: 'E3' });
    await consumers.runAll();
    expect(seen).toEqual(['E0', 'E1', 'E2', 'E3']);
    expect(leases).toEqual(['consumer:leases', 'consumer:leases']);
  });
});
