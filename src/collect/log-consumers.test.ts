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

  it('see only the events they want (by type and name, judged before any message is parsed), and move past the others', async () => {
    const consumers = new LogConsumers(h.store);
    const asked: string[] = [];
    const handed: string[][] = [];
    consumers.register({
      name: 'orders',
      wants: (type, event) => (asked.push(`${type}:${event}`), type === 'track' && event === 'Order Completed'),
      handle: async (events) => void handed.push(events.map((e) => `${e.message.type}:${e.message.event}`)),
    });
    await send(h.app, '/v1/page', { userId: 'c1', name: 'Home' });
    await send(h.app, '/v1/track', { userId: 'c1', event: 'Product Viewed' });
    await consumers.runAll();
    // A chunk with nothing it wants is not handed to it; the store's type and name columns were asked.
    expect(handed).toEqual([]);
    expect(asked).toEqual(['page:Home', 'track:Product Viewed']);
    await send(h.app, '/v1/track', { userId: 'c1', event: 'Order Completed' });
    await send(h.app, '/v1/identify', { userId: 'c1', traits: { plan: 'pro' } });
    await consumers.runAll();
    expect(handed).toEqual([['track:Order Completed']]);
    // Its position is past all four: nothing is asked of it again.
    asked.length = 0;
    await consumers.runAll();
    expect(asked).toEqual([]);
    expect(await consumers.lag()).toEqual({ orders: 0 });
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

  it('write their position at most once a second (each write is a commit), at flush, and replay what was not written after a crash', async () => {
    let now = 2_000_000;
    const consumers = new LogConsumers(h.store, { now: () => now });
    const saves: number[] = [];
    const save = h.store.documents.saveJob.bind(h.store.documents);
    h.store.documents.saveJob = (job) => {
      if (job.id === 'consumer:saves') saves.push(Number(job.progress.afterSeq));
      return save(job);
    };
    const create = h.store.documents.createJob.bind(h.store.documents);
    h.store.documents.createJob = (job) => {
      if (job.id === 'consumer:saves') saves.push(Number(job.progress.afterSeq));
      return create(job);
    };
    const seen: string[] = [];
    consumers.register({ name: 'saves', handle: async (events) => void seen.push(...events.map((e) => e.message.event ?? '')) });
    await consumers.runAll();
    expect(saves).toEqual([0]); // created
    for (let i = 0; i < 4; i++) {
      await send(h.app, '/v1/track', { userId: 'c1', event: `E${i}` });
      await consumers.runAll();
      now += 200;
    }
    expect(seen).toEqual(['E0', 'E1', 'E2', 'E3']);
    expect(saves).toEqual([0]); // four chunks within 0.8 s: nothing written yet
    const lag = await consumers.lag();
    expect(lag.saves).toBe(0); // the position this process holds is the one it reports
    now += 300;
    await send(h.app, '/v1/track', { userId: 'c1', event: 'E4' });
    await consumers.runAll();
    expect(saves).toHaveLength(2); // a second after the last write: this chunk's position is written
    await send(h.app, '/v1/track', { userId: 'c1', event: 'E5' });
    await consumers.runAll();
    expect(saves).toHaveLength(2);
    // A crash now: the restarted process resumes from the written position and sees E5 again.
    const again: string[] = [];
    const restarted = new LogConsumers(h.store, { now: () => now + 60_000 });
    restarted.register({ name: 'saves', handle: async (events) => void again.push(...events.map((e) => e.message.event ?? '')) });
    await restarted.runAll();
    expect(again).toEqual(['E5']);
    // An orderly stop writes the position: nothing is seen twice.
    await restarted.flush();
    const third: string[] = [];
    const next = new LogConsumers(h.store, { now: () => now + 120_000 });
    next.register({ name: 'saves', handle: async (events) => void third.push(...events.map((e) => e.message.event ?? '')) });
    await next.runAll();
    expect(third).toEqual([]);
    expect(saves[saves.length - 1]).toBe(saves[1] + 1);
  });
});
