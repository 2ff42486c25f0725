import { describe, expect, it } from 'vitest';
import { KEYS, bearer, harness, openTwoStores, type Harness } from '../../test/harness.js';
import type { KeyStore } from './key-store.js';

/**
 * Makes each call to a key store wait a moment (0–2 ms) before and after it, so that two servers'
 * calls interleave as they may across processes. One process on SQLite answers a request without
 * ever waiting (its reads and writes are synchronous), so two apps in one test would otherwise run
 * one request after the other and hide any gap between a check and the revoke that follows it.
 */
function interleaved(store: KeyStore): void {
  const pause = () => new Promise((r) => setTimeout(r, Math.floor(Math.random() * 3)));
  const methods = Object.getOwnPropertyNames(Object.getPrototypeOf(store)).filter((m) => m !== 'constructor');
  for (const m of methods) {
    const call = (store as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[m].bind(store);
    Object.assign(store, { [m]: async (...a: unknown[]) => { await pause(); const r = await call(...a); await pause(); return r; } });
  }
}

/**
 * docs/keys.md: the API refuses (409) to revoke the last active admin key. Two servers on one
 * store (two pools on PostgreSQL, two connections on one SQLite file) each revoking one of the last
 * two admin keys at the same moment leave one: exactly one is revoked, the other answered as a
 * single server answers it. Raced a number of times, with the key stores' calls interleaved.
 */
describe.each(['sqlite', 'postgres'] as const)('revoking unless the last active admin key, on %s', (kind) => {
  const ROUNDS = 8;

  it('tells a revoke, a key not active, and the last active admin key apart', async () => {
    const { stores: [a], cleanup } = await openTwoStores(kind);
    try {
      const key = (id: string, kind: 'write' | 'admin') => a.keys.create({ id, kind, label: id, createdAt: 1, revokedAt: null, hash: `h-${id}` });
      await key('w', 'write');
      await key('a1', 'admin');
      await key('a2', 'admin');
      expect(await a.keys.revokeUnlessLastAdmin('w', 2)).toBe('revoked');
      expect(await a.keys.revokeUnlessLastAdmin('w', 3)).toBe('not-found');
      expect(await a.keys.revokeUnlessLastAdmin('nobody', 3)).toBe('not-found');
      expect(await a.keys.revokeUnlessLastAdmin('a1', 4)).toBe('revoked');
      expect(await a.keys.revokeUnlessLastAdmin('a2', 5)).toBe('last-admin');
      expect((await a.keys.list()).map((k) => [k.id, k.revokedAt === null ? null : Number(k.revokedAt)])).toEqual([['a1', 4], ['a2', null], ['w', 2]]);
    } finally {
      await cleanup();
    }
  });

  it('by many calls at once, half through each of two stores, leaves exactly one admin key', async () => {
    const { stores: [a, b], cleanup } = await openTwoStores(kind);
    try {
      for (let round = 0; round < 5; round++) {
        const ids = Array.from({ length: 8 }, (_, i) => `r${round}-${i}`);
        for (const id of ids) await a.keys.create({ id, kind: 'admin', label: id, createdAt: 1, revokedAt: null, hash: `h-${id}` });
        const outcomes = await Promise.all(ids.map((id, i) => (i % 2 ? b : a).keys.revokeUnlessLastAdmin(id, 2)));
        expect(outcomes.filter((o) => o === 'revoked'), `round ${round}: ${outcomes.join(' ')}`).toHaveLength(7);
        expect(outcomes.filter((o) => o === 'last-admin'), `round ${round}`).toHaveLength(1);
        expect(await b.keys.countActive('admin'), `round ${round}`).toBe(1);
        const left = (await a.keys.list()).find((k) => k.kind === 'admin' && k.revokedAt === null)!;
        expect(outcomes[ids.indexOf(left.id)]).toBe('last-admin');
        // The next round's keys join the one left; it is revoked along with them, or left in its turn.
        await a.keys.revoke(left.id, 3);
      }
    } finally {
      await cleanup();
    }
  });

  it('by two servers each revoking one of the last two admin keys at once revokes exactly one; the other is the 409 a single server answers', async () => {
    const { stores: [a, b], cleanup } = await openTwoStores(kind);
    const servers: Harness[] = [];
    try {
      interleaved(a.keys);
      interleaved(b.keys);
      servers.push(await harness(kind, { store: a }), await harness(kind, { store: b }));
      const [here, there] = servers;
      let survivor = KEYS.admin;
      for (let round = 0; round < ROUNDS; round++) {
        const made = await here.app.inject({ method: 'POST', url: '/v1/keys', headers: { authorization: bearer(survivor) }, payload: { kind: 'admin', label: `round ${round}` } });
        expect(made.statusCode, made.body).toBe(201);
        const active = (await a.keys.list()).filter((k) => k.kind === 'admin' && k.revokedAt === null);
        expect(active, `round ${round}`).toHaveLength(2);
        const secretOf: Record<string, string> = { [active.find((k) => k.id === made.json().id)!.id]: made.json().secret };
        const other = active.find((k) => k.id !== made.json().id)!;
        secretOf[other.id] = survivor;
        const [x, y] = active;
        // Each server revokes one key, signed with that key (a request signed with the other's might
        // find it revoked already: a 401, not the race this is about).
        const answers = await Promise.all([
          here.app.inject({ method: 'DELETE', url: `/v1/keys/${x.id}`, headers: { authorization: bearer(secretOf[x.id]) } }),
          there.app.inject({ method: 'DELETE', url: `/v1/keys/${y.id}`, headers: { authorization: bearer(secretOf[y.id]) } }),
        ]);
        const left = (await b.keys.list()).filter((k) => k.kind === 'admin' && k.revokedAt === null);
        expect(left.map((k) => k.id), `round ${round}: ${answers.map((r) => r.body).join(' ')}`).toHaveLength(1);
        expect(answers.map((r) => r.statusCode).sort(), `round ${round}`).toEqual([200, 409]);
        const refused = answers.find((r) => r.statusCode === 409)!;
        const refusedId = refused === answers[0] ? x.id : y.id;
        expect(refused.json()).toMatchObject({
          error: 'conflict',
          message: `The key \`${refusedId}\` is the last active admin key: revoked, nobody could change configuration or make keys through the API. Make another admin key first (\`tact keys create admin <label>\`, or POST /v1/keys with kind admin), then revoke this one.`,
        });
        expect(left[0].id).toBe(refusedId);
        survivor = secretOf[refusedId];
      }
    } finally {
      for (const s of servers) await s.close();
      await cleanup();
    }
  });
});
