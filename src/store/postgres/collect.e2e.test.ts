import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestStore } from '../../../test/harness.js';
import type { IngestWrites } from '../../collect/collect-store.js';
import type { Store } from '../store.js';

const none = (): IngestWrites => ({ events: [], identities: [], merges: [], profiles: [], created: [], consent: [], accounts: [], memberships: [], conflicts: [], violations: [], blocked: [], outcomes: [] });

/** `keys` in an order of its own per batch (a fixed shuffle: the test is the same at every run). */
const order = <T>(keys: T[], b: number): T[] => keys.map((k, i) => ({ k, r: (i * 7 + b * 13) % keys.length })).sort((x, y) => x.r - y.r).map((x) => x.k);

describe('collection on PostgreSQL: batches writing the same shared rows at once', () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ store, cleanup } = await openTestStore('postgres'));
  });
  afterEach(async () => cleanup());

  /** 24 batches at once, each writing the rows `rows(b)` lists (in its own order); their outcomes. */
  const race = async (rows: (b: number) => Partial<IngestWrites>): Promise<string[]> => {
    const epoch = await store.documents.epoch();
    return Promise.all(Array.from({ length: 24 }, (_, b) => store.collect.ingest([], () => ({ ...none(), ...rows(b) }), epoch)
      .then(() => 'ok', (err: { code?: string }) => err.code ?? 'error')));
  };

  it('never deadlock on account rows, whatever order their batches list them in', async () => {
    const accounts = Array.from({ length: 12 }, (_, i) => `acct-${i}`);
    const results = await race((b) => ({ accounts: order(accounts, b).map((id) => ({ id, traits: { seen: b }, at: 1000 + b })) }));
    expect(results.filter((r) => r !== 'ok')).toEqual([]);
    expect((await store.profiles.getAccount('acct-0'))?.traits).toEqual({ seen: 23 });
  });

  it('never deadlock on violation rows, whatever order their batches list them in', async () => {
    const props = Array.from({ length: 12 }, (_, i) => `p${i}`);
    const results = await race((b) => ({
      violations: order(props, b).map((property) => ({ event: 'E', property, rule: 'type', detail: 'd', count: 1, blocked: 0, at: 1000 + b, messageId: `m${b}` })),
    }));
    expect(results.filter((r) => r !== 'ok')).toEqual([]);
    const rows = await store.collect.violations({ limit: 50 });
    expect(rows.map((r) => [r.count, r.lastMessageId])).toEqual(props.map(() => [24, 'm23']));
  });
});
