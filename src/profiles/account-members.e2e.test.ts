import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, harness, send, type Harness, type StoreKind } from '../../test/harness.js';

type Answer = { id: string; members: { profileId: string; role: string | null }[]; next: string | null };

for (const kind of ['sqlite', 'postgres'] as StoreKind[]) {
  // QA: GET /v1/accounts/{id} answered every member at once, however many.
  describe(`GET /v1/accounts/{id}: members in pages (${kind})`, () => {
    let h: Harness;
    const account = async (query = '') => {
      const r = await get(h.app, `/v1/accounts/acme${query}`);
      expect(r.statusCode, r.body).toBe(200);
      return r.json() as Answer;
    };
    beforeAll(async () => {
      h = await harness(kind);
      for (let i = 0; i < 5; i++) expect((await send(h.app, '/v1/group', { userId: `m${i}`, groupId: 'acme', traits: { role: i === 0 ? 'owner' : null } })).statusCode).toBe(200);
    });
    afterAll(async () => h.close());

    it('answers 100 members by default, by profile id, with `next: null` when they are all there', async () => {
      const all = await account();
      expect(all.members).toHaveLength(5);
      expect(all.members.map((m) => m.profileId)).toEqual(all.members.map((m) => m.profileId).sort());
      expect(all.members.filter((m) => m.role === 'owner')).toHaveLength(1);
      expect(all.next).toBeNull();
    });

    it('pages with `limit` and `after`: every member once, `next` null on the last page, also when it is exactly full', async () => {
      const all = (await account()).members;
      const seen: string[] = [];
      let after = '';
      for (let pages = 0; pages < 10; pages++) {
        const page = await account(`?limit=2${after ? `&after=${after}` : ''}`);
        seen.push(...page.members.map((m) => m.profileId));
        if (page.next === null) break;
        expect(page.members).toHaveLength(2);
        expect(page.next).toBe(page.members[1].profileId);
        after = page.next;
      }
      expect(seen).toEqual(all.map((m) => m.profileId));
      const full = await account('?limit=5');
      expect([full.members.length, full.next]).toEqual([5, null]);
    });

    it('refuses a cursor it did not hand out and a limit out of 1–1000, naming the field', async () => {
      for (const [query, field] of [['?after=zzz', 'querystring.after'], ['?limit=0', 'querystring.limit'], ['?limit=1001', 'querystring.limit'], ['?before=x', 'querystring.before']]) {
        const r = await get(h.app, `/v1/accounts/acme${query}`);
        expect([r.statusCode, r.json().problems?.map((p: { field: string }) => p.field)], r.body).toEqual([400, [field]]);
      }
    });
  });
}

describe('GET /v1/accounts/{id} in the OpenAPI document', () => {
  it('declares `limit` (default 100, at most 1000), `after` and `next`', async () => {
    const h = await harness('sqlite');
    try {
      const op = (await get(h.app, '/openapi.json')).json().paths['/v1/accounts/{id}'].get;
      const param = (name: string) => op.parameters.find((p: { in: string; name: string }) => p.in === 'query' && p.name === name);
      expect(param('limit').schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 1000, default: 100 });
      expect(param('after').schema).toMatchObject({ type: 'string' });
      expect(op.responses['200'].content['application/json'].schema.properties.next).toMatchObject({ type: 'string', nullable: true });
    } finally {
      await h.close();
    }
  });
});
