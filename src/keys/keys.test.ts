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
    async revokeUnlessLastAdmin(id, at) {
      const admins = [...rows.values()].filter((r) => r.kind === 'admin' && r.revokedAt === null);
      if (admins.length === 1 && admins[0].id === id) return 'last-admin';
      return (await store.revoke(id, at)) ? 'revoked' : 'not-found';
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

  it('tells a revoked key from a secret that is no key, from the cache too, and authenticates neither', async () => {
    vi.useFakeTimers({ now: 1_000_000, toFake: ['Date'] });
    const store = memoryKeyStore();
    const here = new Keys(store, 5000);
    const elsewhere = new Keys(store, 5000);
    const { key, secret } = await here.create('write', 'test');
    await here.revoke(key.id);
    expect(await here.identify(secret)).toMatchObject({ id: key.id, revokedAt: 1_000_000 });
    expect(await here.identify(secret)).toMatchObject({ id: key.id, revokedAt: 1_000_000 });
    expect(store.lookups).toBe(1);
    expect(await here.authenticate(secret)).toBeUndefined();
    expect(await here.identify('tact_w_unknown')).toBeUndefined();
    // Another process finds it revoked as soon as it reads the store.
    expect(await elsewhere.identify(secret)).toMatchObject({ id: key.id, revokedAt: 1_000_000 });
  });

  it('does not keep, once a key is revoked, the answer of a check that read the store before the revoke', async () => {
    const store = memoryKeyStore();
    const keys = new Keys(store, 5000);
    const { key, secret } = await keys.create('server', 'test');
    const find = store.findByHash.bind(store);
    let answer!: () => void;
    const answered = new Promise<void>((r) => (answer = r));
    // The row is read now (the key active), and the answer arrives after the revoke.
    store.findByHash = async (hash) => { const row = find(hash); await answered; return row; };
    const inFlight = keys.authenticate(secret);
    store.findByHash = find;
    expect(await keys.revoke(key.id)).toBe(true);
    answer();
    expect(await inFlight).toMatchObject({ id: key.id }); // asked before the revoke
    expect(await keys.authenticate(secret)).toBeUndefined();
  });

  it('stops at once in this process a key revoked unless it is the last admin key, and keeps the last one', async () => {
    const keys = new Keys(memoryKeyStore(), 5000);
    const first = await keys.create('admin', 'first');
    const second = await keys.create('admin', 'second');
    expect(await keys.authenticate(first.secret)).toBeDefined();
    expect(await keys.authenticate(second.secret)).toBeDefined();
    expect(await keys.revokeUnlessLastAdmin(first.key.id)).toBe('revoked');
    expect(await keys.authenticate(first.secret)).toBeUndefined(); // not the cached answer
    expect(await keys.revokeUnlessLastAdmin(second.key.id)).toBe('last-admin');
    expect(await keys.revokeUnlessLastAdmin(first.key.id)).toBe('not-found');
    expect(await keys.authenticate(second.secret)).toMatchObject({ id: second.key.id });
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

  it('refuses a value already registered as a key of another kind, with the right article', async () => {
    const keys = new Keys(memoryKeyStore(), 0);
    await keys.bootstrap({ TACT_WRITE_KEY: 'w-1', TACT_SERVER_KEY: 's-1', TACT_ADMIN_KEY: 'a-1' });
    await expect(keys.bootstrap({ TACT_WRITE_KEY: 'w-1', TACT_SERVER_KEY: 'a-1', TACT_ADMIN_KEY: 'a-1' }))
      .rejects.toThrow('TACT_SERVER_KEY holds a key already registered as an admin key; use a different value.');
    await expect(keys.bootstrap({ TACT_WRITE_KEY: 's-1', TACT_SERVER_KEY: 's-1', TACT_ADMIN_KEY: 'a-1' }))
      .rejects.toThrow('TACT_WRITE_KEY holds a key already registered as a server key; use a different value.');
  });

  it('logs each bootstrap key a start revokes (it revoked them unsaid), and labels a key generated at a later start as such', async () => {
    const store = memoryKeyStore();
    const logged: [Record<string, unknown>, string][] = [];
    const keys = new Keys(store, 0, { info: (data, msg) => logged.push([data, msg]) });
    await keys.bootstrap({ TACT_SERVER_KEY: 's-1' });
    const old = (await keys.list()).find((k) => k.label === 'from TACT_SERVER_KEY')!;
    expect(logged).toEqual([]);
    await keys.bootstrap({ TACT_SERVER_KEY: 's-2' });
    expect(logged).toEqual([[{ key: old.id, kind: 'server', label: 'from TACT_SERVER_KEY', by: 'start', replacedBy: 'TACT_SERVER_KEY' }, 'key revoked']]);
    // The write key generated at the first start is revoked; the next start generates another.
    const write = (await keys.list()).find((k) => k.kind === 'write')!;
    expect(write.label).toBe('generated at start');
    await keys.revoke(write.id);
    const later = await keys.bootstrap({ TACT_SERVER_KEY: 's-2' });
    expect(later.map((k) => [k.kind, k.from])).toEqual([['write', 'generated']]);
    expect((await keys.list()).filter((k) => k.kind === 'write' && !k.revokedAt).map((k) => k.label)).toEqual(['generated at start']);
  });

  it('treats a key labelled as generated before 2026-12-05 as a bootstrap key still: a value in the variable replaces it', async () => {
    const store = memoryKeyStore();
    const keys = new Keys(store, 0);
    await store.create({ id: 'k-old', kind: 'admin', label: 'generated on first start', createdAt: 1, revokedAt: null, hash: hashKey('old-admin-secret') });
    await keys.bootstrap({ TACT_ADMIN_KEY: 'a-1' });
    expect(await keys.authenticate('old-admin-secret')).toBeUndefined();
    expect(await keys.authenticate('a-1')).toMatchObject({ kind: 'admin' });
    await expect(keys.create('admin', 'generated at start')).rejects.toMatchObject({ statusCode: 400, problems: [{ field: 'label' }] });
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
  it('refuses to start with a key the Authorization header could not carry, naming the variable and the character but not the key', async () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ TACT_SERVER_KEY: 'dev server key 0123456789abcdefghij' }, /TACT_SERVER_KEY holds a space/],
      [{ TACT_ADMIN_KEY: 'clé-0123456789abcdefghijklmnopqrstuv' }, /TACT_ADMIN_KEY holds "é"/],
      [{ TACT_ADMIN_KEY: 'tab\t0123456789abcdefghijklmnopqrstuv' }, /TACT_ADMIN_KEY holds a control character/],
      // HTTP Basic (the browser client, tact import) ends the user name at the first colon.
      [{ TACT_WRITE_KEY: 'w:0123456789abcdefghijklmnopqrstuvwx' }, /TACT_WRITE_KEY holds a colon/],
    ];
    for (const [env, message] of cases) {
      const keys = new Keys(memoryKeyStore(), 0);
      const started = keys.bootstrap(env);
      await expect(started, JSON.stringify(env)).rejects.toThrow(message);
      await expect(started).rejects.not.toThrow(Object.values(env)[0]);
      expect((await keys.list()).filter((k) => k.label.startsWith('from '))).toEqual([]);
    }
    // A colon travels in a Bearer header: server and admin keys may hold one.
    const keys = new Keys(memoryKeyStore(), 0);
    await keys.bootstrap({ TACT_SERVER_KEY: 's:0123456789abcdefghijklmnopqrstuvwx' });
    expect(await keys.authenticate('s:0123456789abcdefghijklmnopqrstuvwx')).toMatchObject({ kind: 'server' });
  });

  it('warns at each start, naming the variable and not the value, of a key shorter than 32 characters', async () => {
    const warnings: string[] = [];
    const keys = new Keys(memoryKeyStore(), 0, { warn: (m) => warnings.push(m) });
    const strong = 'tact_a_' + 'x'.repeat(43);
    await keys.bootstrap({ TACT_WRITE_KEY: 'hunter2', TACT_ADMIN_KEY: strong });
    await keys.bootstrap({ TACT_WRITE_KEY: 'hunter2', TACT_ADMIN_KEY: strong });
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^TACT_WRITE_KEY is 7 characters long/);
    expect(warnings.join('')).not.toContain('hunter2');
    expect(await keys.authenticate('hunter2')).toMatchObject({ kind: 'write' }); // warned, not refused: the start goes on
  });

  it('refuses, naming the label, a key made by hand under a label of the keys made at start (a later start would revoke it)', async () => {
    const keys = new Keys(memoryKeyStore(), 0);
    for (const label of ['from TACT_ADMIN_KEY', 'generated on first start', ' ']) {
      await expect(keys.create('admin', label), label).rejects.toMatchObject({ statusCode: 400, problems: [{ field: 'label' }] });
    }
    expect(await keys.list()).toEqual([]);
  });

  it('holds every way of making a key to the label the API takes: at most 200 characters, on one line', async () => {
    const keys = new Keys(memoryKeyStore(), 0);
    // The command line calls create() as the API does: a label of 10,000 characters, or one whose
    // line break would forge a line of `tact keys list`, is refused there too, naming the field.
    for (const label of ['x'.repeat(201), 'shop\nadmin  from TACT_ADMIN_KEY', 'tab\there', 'bell\u0007', 'del\u007f']) {
      await expect(keys.create('write', label), JSON.stringify(label)).rejects.toMatchObject({ statusCode: 400, problems: [{ field: 'label' }] });
    }
    expect(await keys.list()).toEqual([]);
    // Surrounding blanks are not part of the label; 200 characters and any script are.
    expect((await keys.create('write', '  web shop  ')).key.label).toBe('web shop');
    expect((await keys.create('write', 'é'.repeat(200))).key.label).toHaveLength(200);
    expect((await keys.create('write', 'boutique – 東京')).key.label).toBe('boutique – 東京');
  });
});
