import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ApiKey, KeyKind, KeyStore } from './key-store.js';
import { Keys, hashKey } from './keys.js';

/** Keys held in memory, counting the lookups that reach the store. */
function memoryKeyStore() {
  const rows = new Map<string, ApiKey & { hash: string }>();
  const store: KeyStore & { lookups: number; hashes: () => string[] } = {
    lookups: 0,
    hashes: () => [...rows.keys()],
    async findByHash(hash) {
      store.lookups += 1;
      const r = rows.get(hash);
      return r && { id: r.id, kind: r.kind, label: r.label, createdAt: r.createdAt, revokedAt: r.revokedAt };
    },
    async create(key) {
      rows.set(key.hash, { ...key });
    },
    async list() {
      return [...rows.values()];
    },
    async revoke(id, at) {
      for (const r of rows.values()) if (r.id === id && r.revokedAt === null) return ((r.revokedAt = at), true);
      return false;
    },
    async countActive(kind: KeyKind) {
      return [...rows.values()].filter((r) => r.kind === kind && r.revokedAt === null).length;
    },
  };
  return store;
}

describe('Keys', () => {
  afterEach(() => vi.useRealTimers());

  it('stores only the hash, and checks a key again within the cache time without reading the store', async () => {
    const store = memoryKeyStore();
    const keys = new Keys(store, 5000);
    const { key, secret } = await keys.create('server', 'test');
    expect(store.hashes()).toEqual([hashKey(secret)]);
    expect(JSON.stringify(await store.list())).not.toContain(secret);
    expect(await keys.authenticate(secret)).toMatchObject({ id: key.id, kind: 'server' });
    expect(await keys.authenticate(secret)).toMatchObject({ id: key.id });
    expect(store.lookups).toBe(1);
    expect(await keys.authenticate('tact_s_unknown')).toBeUndefined();
    expect(await keys.authenticate('tact_s_unknown')).toBeUndefined();
    expect(store.lookups).toBe(2);
  });

  it('stops a revoked key at once in this process, and in any process once its cache time has passed', async () => {
    vi.useFakeTimers({ now: 1_000_000, toFake: ['Date'] });
    const store = memoryKeyStore();
    const here = new Keys(store, 5000);
    const elsewhere = new Keys(store, 5000);
    const { key, secret } = await here.create('write', 'test');
    expect(await elsewhere.authenticate(secret)).toBeDefined();
    expect(await here.revoke(key.id)).toBe(true);
    expect(await here.authenticate(secret)).toBeUndefined();
    expect(await elsewhere.authenticate(secret)).toBeDefined(); // its cached answer, for at most 5 s
    vi.setSystemTime(1_000_000 + 5001);
    expect(await elsewhere.authenticate(secret)).toBeUndefined();
  });

  it('checks a very long secret against the store every time (it is not kept in the cache)', async () => {
    const store = memoryKeyStore();
    const keys = new Keys(store, 5000);
    const long = `k${'x'.repeat(300)}`;
    await keys.create('admin', 'long', long);
    expect(await keys.authenticate(long)).toMatchObject({ kind: 'admin' });
    expect(await keys.authenticate(long)).toMatchObject({ kind: 'admin' });
    expect(store.lookups).toBe(2);
  });
});

describe('keys from the environment', () => {
  it('registers a changed TACT_ADMIN_KEY and revokes the one it replaces, keeping keys made by hand', async () => {
    const store = memoryKeyStore();
    const keys = new Keys(store, 0);
    const first = await keys.bootstrap({ TACT_WRITE_KEY: 'w-1', TACT_SERVER_KEY: 's-1' });
    const generatedAdmin = first.find((k) => k.kind === 'admin' && k.from === 'generated')?.secret ?? '';
    const byHand = await keys.create('admin', 'ops laptop');
    await keys.bootstrap({ TACT_WRITE_KEY: 'w-1', TACT_SERVER_KEY: 's-1', TACT_ADMIN_KEY: 'a-1' });
    expect(await keys.authenticate('a-1')).toMatchObject({ kind: 'admin' });
    expect(await keys.authenticate(generatedAdmin)).toBeUndefined();
    await keys.bootstrap({ TACT_WRITE_KEY: 'w-1', TACT_SERVER_KEY: 's-1', TACT_ADMIN_KEY: 'a-2' });
    expect(await keys.authenticate('a-2')).toMatchObject({ kind: 'admin' });
    expect(await keys.authenticate('a-1')).toBeUndefined();
    expect(await keys.authenticate(byHand.secret)).toMatchObject({ kind: 'admin' });
    expect(await keys.authenticate('w-1')).toMatchObject({ kind: 'write' });
    expect(await keys.authenticate('s-1')).toMatchObject({ kind: 'server' });
  });

  it('refuses to start with a key in the environment that was revoked, naming the variable and not the key', async () => {
    const keys = new Keys(memoryKeyStore(), 0);
    await keys.bootstrap({ TACT_ADMIN_KEY: 'a-secret-1' });
    const id = (await keys.list()).find((k) => k.label === 'from TACT_ADMIN_KEY')?.id ?? '';
    await keys.revoke(id);
    const started = keys.bootstrap({ TACT_ADMIN_KEY: 'a-secret-1' });
    await expect(started).rejects.toThrow(/TACT_ADMIN_KEY holds a key that was revoked/);
    await expect(started).rejects.not.toThrow(/a-secret-1/);
  });
  it('refuses, naming the label, a key made by hand under a label of the keys made at start (a later start would revoke it)', async () => {
    const keys = new Keys(memoryKeyStore(), 0);
    for (const label of ['from TACT_ADMIN_KEY', 'generated on first start', ' ']) {
      await expect(keys.create('admin', label), label).rejects.toMatchObject({ statusCode: 400, problems: [{ field: 'label' }] });
    }
    expect(await keys.list()).toEqual([]);
  });
});
