import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { KEYS, bearer, get, harness, openTestStore, send, twoHarnesses, type Harness, type StoreKind } from '../../../test/harness.js';
import { testDir } from '../../../test/tmp.js';
import { openPostgresStore } from '../../store/postgres/postgres-store.js';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';
import { post } from '../test-http.js';

/** The request a client whose connection dropped sends again, with the same `messageId`. */
const delay = { account: 'acme', name: 'procurement_delay', note: 'pause automated sequences', until: '2027-01-15', messageId: 'm-delay-1' };
const addFlag = (app: FastifyInstance, body: object) => post(app, '/v1/flags', body, KEYS.admin);
const flagsOfAcme = async (app: FastifyInstance) => (await get(app, '/v1/flags?account=acme')).json().flags as { id: string; active: boolean }[];

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

async function opened(kind: StoreKind): Promise<Harness> {
  const h = await harness(kind);
  cleanups.push(() => h.close());
  return h;
}

/** POST /v1/flags with a `messageId` (the convention of POST /v1/outcomes): a retry adds no second flag. */
describe.each(['sqlite', 'postgres'] as StoreKind[])('POST /v1/flags sent again with its messageId (%s)', (kind) => {
  it('answers a retry with the flag the first call added, 201 as it was, and adds no second one', async () => {
    const h = await opened(kind);
    const first = await addFlag(h.app, delay);
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ name: 'procurement_delay', until: '2027-01-15T00:00:00.000Z', duplicate: false });
    const again = await addFlag(h.app, delay);
    expect(again.statusCode).toBe(201);
    expect(again.json()).toMatchObject({ id: first.json().id, duplicate: true, createdAt: first.json().createdAt });
    // The account is unknown yet: the retry's answer warns as the first did.
    expect(again.json().warnings).toEqual(first.json().warnings);
    expect((await flagsOfAcme(h.app)).map((f) => f.id)).toEqual([first.json().id]);
    // The same flag however its values are spelt: `until` as the instant it names, the account as a group() call takes it.
    const spelt = await addFlag(h.app, { ...delay, account: ' acme ', until: '2027-01-15T00:00:00Z' });
    expect(spelt.json()).toMatchObject({ id: first.json().id, duplicate: true });
    // Without a messageId each request is a flag of its own, as before; its answer has no `duplicate`.
    const { messageId: _m, ...plain } = delay;
    expect((await addFlag(h.app, plain)).json()).not.toHaveProperty('duplicate');
    expect(await flagsOfAcme(h.app)).toHaveLength(2);
  });

  it('adds one flag for retries that arrive at once', async () => {
    const h = await opened(kind);
    const answers = await Promise.all(Array.from({ length: 4 }, () => addFlag(h.app, delay)));
    expect(answers.map((r) => r.statusCode)).toEqual([201, 201, 201, 201]);
    expect(new Set(answers.map((r) => r.json().id)).size).toBe(1);
    expect(answers.filter((r) => r.json().duplicate === false)).toHaveLength(1);
    expect(await flagsOfAcme(h.app)).toHaveLength(1);
  });

  it('answers a retry after the flag was cleared with the cleared flag, and opens none again', async () => {
    const h = await opened(kind);
    const id = (await addFlag(h.app, delay)).json().id as string;
    expect((await h.app.inject({ method: 'DELETE', url: `/v1/flags/${id}`, headers: { authorization: bearer(KEYS.admin) } })).statusCode).toBe(200);
    const again = await addFlag(h.app, delay);
    expect(again.json()).toMatchObject({ id, duplicate: true, active: false, clearedBy: expect.stringContaining('key ') });
    expect((await flagsOfAcme(h.app)).map((f) => [f.id, f.active])).toEqual([[id, false]]);
    expect(h.tact.decide.state.flags.active('p', ['acme'], Date.now())).toEqual([]);
  });

  it('refuses the same messageId with another body with a 409 naming `messageId` and the fields that differ, adding nothing', async () => {
    const h = await opened(kind);
    const id = (await addFlag(h.app, delay)).json().id as string;
    const other = await addFlag(h.app, { ...delay, note: 'call the CFO first' });
    expect(other.statusCode).toBe(409);
    expect(other.json()).toMatchObject({ error: 'conflict', problems: [{ field: 'messageId' }] });
    expect(other.json().message).toBe(`The \`messageId\` \`m-delay-1\` was sent before with another body: the flag it added (${id}) has another \`note\`. Nothing was added: a retry sends the same body with the same \`messageId\`, and a new flag takes a new \`messageId\`.`);
    const two = await addFlag(h.app, { ...delay, account: 'globex', until: '2027-02-01' });
    expect(two.statusCode).toBe(409);
    expect(two.json().message).toContain('has another `account` and `until`.');
    // Named by a subject where the first named the account: the flag keeps the profile, not the identifier sent.
    await send(h.app, '/v1/identify', { userId: 'ana' });
    const asSubject = await addFlag(h.app, { ...delay, account: undefined, subject: 'ana' });
    expect(asSubject.statusCode).toBe(409);
    expect(asSubject.json().message).toContain('has another `subject`.');
    expect((await flagsOfAcme(h.app)).map((f) => f.id)).toEqual([id]);
    expect((await get(h.app, '/v1/flags?account=globex')).json().flags).toEqual([]);
  });

  it('answers a retry after a restart with the flag added before it', async () => {
    const path = join(testDir('tact-flag-retry-'), 'tact.db');
    const first = kind === 'sqlite' ? { store: (await openSqliteStore({ path })) as Store, url: undefined, cleanup: async () => {} } : await openTestStore('postgres');
    const h1 = await harness(kind, { store: first.store });
    const id = (await addFlag(h1.app, delay)).json().id as string;
    await h1.close();
    // A PostgreSQL store stays open as the database of the other, stopped process (its cleanup closes it).
    if (kind === 'sqlite') await first.store.close();
    const store2 = kind === 'sqlite' ? await openSqliteStore({ path }) : await openPostgresStore({ connectionString: first.url as string, poolSize: 4 });
    const h2 = await harness(kind, { store: store2 });
    cleanups.push(first.cleanup, () => store2.close(), () => h2.close());
    expect((await addFlag(h2.app, delay)).json()).toMatchObject({ id, duplicate: true });
    expect((await addFlag(h2.app, { ...delay, note: 'another' })).statusCode).toBe(409);
    expect((await flagsOfAcme(h2.app)).map((f) => f.id)).toEqual([id]);
  });

  it('adds one flag when two processes on one database get the request, and each holds it at once', async () => {
    const two = await twoHarnesses(kind);
    cleanups.push(two.close);
    const [a, b] = await Promise.all([addFlag(two.a.app, delay), addFlag(two.b.app, delay)]);
    expect(a.json().id).toBe(b.json().id);
    expect([a.json().duplicate, b.json().duplicate].sort()).toEqual([false, true]);
    const later = await addFlag(two.b.app, delay);
    expect(later.json()).toMatchObject({ id: a.json().id, duplicate: true });
    expect((await flagsOfAcme(two.a.app)).map((f) => f.id)).toEqual([a.json().id]);
    // The process that answered the retry applies the flag it named, before its next sync.
    for (const h of [two.a, two.b]) expect(h.tact.decide.state.flags.active('p', ['acme'], Date.now()).map((f) => f.id)).toEqual([a.json().id]);
  });
});
