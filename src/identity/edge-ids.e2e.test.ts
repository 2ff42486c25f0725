import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { get, harness, send, type Harness, type StoreKind } from '../../test/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

type Conflict = { kind: string; value: string; reason: string };
const conflictsOf = async (id: string) => ((await get(h!.app, `/v1/profiles/${id}`)).json() as { identityConflicts: Conflict[] }).identityConflicts;

for (const kind of ['sqlite', 'postgres'] as StoreKind[]) {
  describe(`identifiers too long to be one (${kind})`, () => {
    // PostgreSQL indexes (kind, value) of identities and the id of accounts in B-trees, whose
    // entries hold at most ≈ 2,700 bytes: a longer e-mail trait, external id or company id failed
    // the whole batch with a 500 (which clients retry, forever), where SQLite took it.
    const long = randomBytes(2000).toString('hex');

    it('are set aside as a blocked value is, and the message is kept; a company id too, and the profile says why', async () => {
      h = await harness(kind);
      const sent = [
        await send(h.app, '/v1/identify', { userId: 'l-1', traits: { email: `${long}@x.io` } }),
        await send(h.app, '/v1/track', { userId: 'l-2', event: 'E', context: { externalIds: [{ type: 'device', id: long, collection: 'users' }] } }),
        await send(h.app, '/v1/track', { userId: 'l-3', event: 'E', context: { externalIds: [{ type: long, id: 'x-1', collection: 'users' }] } }),
        await send(h.app, '/v1/identify', { userId: 'l-4', traits: { email: long } }),
        await send(h.app, '/v1/identify', { userId: 'l-5', traits: { company: { id: long, name: 'Long' } } }),
      ];
      expect(sent.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200]);
      // Set aside as a blocked value is (identifiersOf), so no identity holds them.
      for (const u of ['l-1', 'l-2', 'l-3', 'l-4']) {
        expect(((await get(h.app, `/v1/profiles/${u}`)).json() as { identities: { kind: string }[] }).identities.map((i) => i.kind)).toEqual(['userId']);
      }
      expect((await conflictsOf('l-5'))).toEqual([expect.objectContaining({ kind: 'company.id', value: `${long.slice(0, 64)}…`, reason: 'it is 4000 characters long, and an account id may be at most 512: no account was made' })]);
      expect((await get(h.app, '/v1/profiles/l-5')).json().accounts).toEqual([]);
    });

    it('leave a message with no other identifier refused with a 400 naming the field', async () => {
      h = await harness(kind);
      const r = await send(h.app, '/v1/track', { event: 'E', context: { externalIds: [{ type: 'device', id: long, collection: 'users' }] }, anonymousId: '0' });
      expect(r.statusCode).toBe(400);
      const problems = r.json().problems as { field: string; message: string }[];
      expect(problems.map((p) => p.field)).toEqual(['context.externalIds[0].id', 'anonymousId']);
      expect(problems[0].message).toContain('an identifier may be at most 512');
    });
  });

  describe(`ids that differ only in form (${kind})`, () => {
    it('a userId sent as a number is the same person as the same digits in a string; 0 is blocked either way', async () => {
      h = await harness(kind);
      for (const userId of [0, '0']) expect((await send(h.app, '/v1/identify', { userId })).statusCode).toBe(400);
      await send(h.app, '/v1/identify', { userId: 42, traits: { a: 1 } });
      await send(h.app, '/v1/identify', { userId: '42', traits: { b: 1 } });
      const p = (await get(h.app, '/v1/profiles/42')).json() as { traits: object; identities: unknown[] };
      expect(p.traits).toEqual({ a: 1, b: 1 });
      expect(p.identities).toHaveLength(1);
    });

    it('an e-mail is one address whatever its case and Unicode form (NFD or NFC)', async () => {
      h = await harness(kind);
      await send(h.app, '/v1/identify', { userId: 'e-1', traits: { email: 'Jose\u0301@Example.COM' } });
      await send(h.app, '/v1/identify', { anonymousId: 'e-a', traits: { email: ' jos\u00e9@example.com' } });
      const p = (await get(h.app, `/v1/profiles/${encodeURIComponent('email:JOSE\u0301@EXAMPLE.COM')}`)).json() as { id: string; identities: { kind: string; value: string }[] };
      expect(p.identities.map((i) => `${i.kind}:${i.value}`).sort()).toEqual(['anonymousId:e-a', 'email:jos\u00e9@example.com', 'userId:e-1']);
    });
  });
}

for (const kind of ['sqlite', 'postgres'] as StoreKind[]) {
  describe(`ids sent as numbers JSON does not hold exactly (${kind})`, () => {
    // JSON reads 12345678901234567890 and 12345678901234567891 as one double: taken as
    // "12345678901234567000", two people merged into one profile, and joined one account.
    it('in context.externalIds and traits.company.id are set aside, and each profile says why: two people stay two', async () => {
      h = await harness(kind);
      const body = (anonymousId: string, digits: string) => `{"type":"identify","anonymousId":"${anonymousId}","context":{"externalIds":[{"type":"crm_id","id":${digits}}]},"traits":{"company":{"id":${digits}}}}`;
      for (const [a, digits] of [['big1', '12345678901234567890'], ['big2', '12345678901234567891']]) {
        const r = await h.app.inject({ method: 'POST', url: '/v1/identify', headers: { authorization: `Basic ${Buffer.from('test-write-key:').toString('base64')}`, 'content-type': 'application/json' }, payload: body(a, digits) });
        expect(r.statusCode, r.body).toBe(200);
      }
      const one = (await get(h.app, '/v1/profiles/anonymousId:big1')).json() as { id: string; identities: { kind: string }[]; accounts: unknown[] };
      const two = (await get(h.app, '/v1/profiles/anonymousId:big2')).json() as { id: string };
      expect(one.id).not.toBe(two.id);
      expect(one.identities.map((i) => i.kind)).toEqual(['anonymousId']);
      expect(one.accounts).toEqual([]);
      expect((await get(h.app, '/v1/accounts/12345678901234567000')).statusCode).toBe(404);
      expect((await conflictsOf('anonymousId:big1')).map((c) => [c.kind, c.value])).toEqual(expect.arrayContaining([['crm_id', '12345678901234567000'], ['company.id', '12345678901234567000']]));
    });

    it('in an externalId, or an externalIds that is an object, beside a blocked userId refuse the message with a 400 naming the field', async () => {
      h = await harness(kind);
      const big = await h.app.inject({ method: 'POST', url: '/v1/track', headers: { authorization: `Basic ${Buffer.from('test-write-key:').toString('base64')}`, 'content-type': 'application/json' }, payload: '{"event":"E","userId":"null","context":{"externalIds":[{"type":"crm_id","id":12345678901234567890}]}}' });
      expect(big.statusCode, big.body).toBe(400);
      expect(big.json().problems.map((p: { field: string }) => p.field)).toEqual(['userId', 'context.externalIds[0].id']);
      const obj = await send(h.app, '/v1/track', { event: 'E', userId: 'null', context: { externalIds: { type: 'crm_id', id: 'c-1' } } });
      expect(obj.statusCode, obj.body).toBe(400);
      expect(obj.json().problems.map((p: { field: string }) => p.field)).toEqual(['userId', 'context.externalIds']);
    });
  });
}
