import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KEYS, bearer, get, harness, send, type Harness, type StoreKind } from '../../../test/harness.js';

/** Configuration, tracking plan, feature backfill and keys, the same on every store. */
export function configConformance(kind: StoreKind): void {
  describe(`configuration, tracking plan, backfill, keys (${kind})`, () => {
    let h: Harness;
    beforeEach(async () => {
      h = await harness(kind);
    });
    afterEach(async () => h.close());

    const put = (kindName: string, document: unknown, extra: object = {}) =>
      h.app.inject({ method: 'PUT', url: `/v1/config/${kindName}`, headers: { authorization: bearer(KEYS.admin) }, payload: { document, reason: 'test', ...extra } });

    it('versions every change and refuses a stale expectedVersion', async () => {
      const a = await put('merge-rules', { limits: { userId: 1 } });
      expect(a.statusCode, a.body).toBe(200);
      expect(a.json().version).toBe(1);
      const b = await put('merge-rules', { limits: { userId: 2 } }, { expectedVersion: 1 });
      expect(b.json().version).toBe(2);
      const c = await put('merge-rules', { limits: { userId: 3 } }, { expectedVersion: 1 });
      expect(c.statusCode).toBe(409);
      const hist = (await get(h.app, '/v1/config/merge-rules/history')).json();
      expect(hist.versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
      expect(h.tact.settings.epoch).toBeGreaterThan(0);
    });

    it('answers a kind\'s history a page at a time: `before` a version, the older ones, newest first', async () => {
      const docs = h.store.documents;
      for (let i = 1; i <= 5; i++) await docs.put('lifecycle', { stages: [{ name: `s${i}`, when: 'true' }] }, { author: `a${i}`, reason: `r${i}` });
      await docs.put('segments', { audiences: [] }, { author: 'other', reason: 'another kind' });
      const of = (list: { version: number }[]) => list.map((d) => d.version);
      expect(of(await docs.history('lifecycle', 2))).toEqual([5, 4]);
      expect(of(await docs.history('lifecycle', 2, 4))).toEqual([3, 2]);
      expect(await docs.history('lifecycle', 10, 2)).toEqual([expect.objectContaining({ kind: 'lifecycle', version: 1, author: 'a1', reason: 'r1', body: { stages: [{ name: 's1', when: 'true' }] } })]);
      // The same versions without their documents.
      expect(await docs.versions('lifecycle', 2, 4)).toEqual((await docs.history('lifecycle', 2, 4)).map(({ body, ...v }) => ({ ...v, bytes: Buffer.byteLength(JSON.stringify(body)) })));
      expect(await docs.versions('lifecycle', 10)).toHaveLength(5);
      expect(await docs.versions('nothing-written', 10)).toEqual([]);
      expect(await docs.history('lifecycle', 10, 1)).toEqual([]);
      expect(of(await docs.history('lifecycle', 10, 2_147_483_647))).toEqual([5, 4, 3, 2, 1]);
      // Through the API, on this store: the page and where the next one starts.
      const page = (await get(h.app, '/v1/config/lifecycle/history?limit=2&before=4')).json();
      expect([of(page.versions), page.next]).toEqual([[3, 2], 2]);
    });

    it('applies a change while clients keep sending: the batches taken before it commit under the old settings, those after under the new ones', async () => {
      const store = h.store;
      // Every commit takes a while and a request is sent every 2 ms whatever the answers, so
      // something is always queued or committing: the ingestor is never idle until the sending stops.
      const epochs: number[] = [];
      const ingest = store.collect.ingest.bind(store.collect);
      store.collect.ingest = async (items, compute, epoch) => {
        epochs.push(epoch);
        await new Promise((r) => setTimeout(r, 5));
        return ingest(items, compute, epoch);
      };
      const before = await store.documents.epoch();
      let changed = false;
      let sentAfter = 0;
      const answers: Promise<void>[] = [];
      // Bounded: 400 requests at most, whether or not the change ever lands.
      const sending = (async () => {
        for (let i = 0; i < 400 && sentAfter < 20; i++) {
          answers.push(send(h.app, '/v1/track', { userId: `u${i}`, event: 'Page Viewed' }).then((r) => expect(r.statusCode, r.body).toBe(200)));
          if (changed) sentAfter++;
          await new Promise((r) => setTimeout(r, 2));
        }
      })();
      while (answers.length < 10) await new Promise((r) => setTimeout(r, 5));
      const put = await h.app.inject({
        method: 'PUT', url: '/v1/config/tracking-plan', headers: { authorization: bearer(KEYS.admin) },
        payload: { document: { events: { 'Page Viewed': { properties: { type: 'object' } } } }, reason: 'during ingestion' },
      });
      changed = true;
      expect(put.statusCode, put.body).toBe(200);
      await sending;
      await Promise.all(answers);
      const sent = answers.length;
      // The change landed while the clients were still sending, and the ingestion went on after it.
      expect(sentAfter).toBe(20);
      const after = await store.documents.epoch();
      expect(after).toBe(before + 1);
      // No batch was taken under the old epoch once the new one was in force: the epochs the
      // commits were made under go from old to new once (a retry after a stale read would repeat one).
      const firstNew = epochs.indexOf(after);
      expect(firstNew).toBeGreaterThan(0);
      expect(epochs.slice(0, firstNew).every((e) => e === before)).toBe(true);
      expect(epochs.slice(firstNew).every((e) => e === after)).toBe(true);
      expect(await store.collect.countEvents()).toBe(sent);
    }, 30_000);

    it('names the field of an invalid document', async () => {
      const r = await put('features', [{ name: 'Bad Name', kind: 'sum', event: 'X' }]);
      expect(r.statusCode).toBe(400);
      const fields = r.json().problems.map((p: { field: string }) => p.field);
      expect(fields).toContain('features[0].name');
      expect(fields).toContain('features[0].property');
    });

    it('counts tracking-plan violations per event and property, and blocks where the plan says', async () => {
      const plan = {
        events: {
          'Order Completed': { block: true, properties: { type: 'object', required: ['revenue'], properties: { revenue: { type: 'number' } } } },
          'Product Viewed': { properties: { type: 'object', properties: { price: { type: 'number' } } } },
        },
        group: { block: true, properties: { type: 'object', properties: { employees: { type: 'integer' } } } },
      };
      expect((await put('tracking-plan', plan)).statusCode).toBe(200);
      const blocked = await send(h.app, '/v1/track', { userId: 'p1', event: 'Order Completed', properties: { revenue: 'lots' } });
      expect(blocked.statusCode).toBe(400);
      expect(blocked.json().error).toBe('tracking_plan_blocked');
      expect(blocked.json().problems[0].field).toBe('properties.revenue');
      const account = await send(h.app, '/v1/group', { userId: 'p1', groupId: 'acme', traits: { employees: 'many' } });
      expect(account.statusCode).toBe(400);
      expect(account.json().problems).toEqual([expect.objectContaining({ field: 'traits.employees' })]);
      const kept = await send(h.app, '/v1/track', { userId: 'p1', event: 'Product Viewed', properties: { price: 'cheap' } });
      expect(kept.statusCode).toBe(200);
      await send(h.app, '/v1/track', { userId: 'p1', event: 'Unplanned Thing' });
      const batch = await send(h.app, '/v1/batch', { batch: [
        { type: 'track', userId: 'p1', event: 'Order Completed', properties: {} },
        { type: 'track', userId: 'p1', event: 'Order Completed', properties: { revenue: 9 } },
      ] });
      expect(batch.json().rejected).toHaveLength(1);
      expect(batch.json().rejected[0].index).toBe(0);
      const v = (await get(h.app, '/v1/tracking-plan/violations')).json().violations;
      const find = (e: string, p: string, rule?: string) => v.find((x: { event: string; property: string; rule: string }) => x.event === e && x.property === p && (!rule || x.rule === rule));
      expect(find('Order Completed', 'revenue', 'type')).toMatchObject({ count: 1, blocked: 1 });
      expect(find('Order Completed', 'revenue', 'required')).toMatchObject({ count: 1, blocked: 1 });
      expect(find('Product Viewed', 'price')).toMatchObject({ count: 1, blocked: 0 });
      expect(find('Unplanned Thing', '(event)')).toMatchObject({ count: 1, rule: 'unplanned' });
      expect(find('group', 'employees', 'type')).toMatchObject({ count: 1, blocked: 1, inPlan: true });
      expect(await h.store.collect.countEvents()).toBe(3);
    });

    it('backfills a new feature from stored events and keeps it live afterwards', async () => {
      for (let i = 0; i < 25; i++) {
        await send(h.app, '/v1/batch', { batch: [
          { type: 'track', userId: `bf-${i % 5}`, event: 'Order Completed', properties: { revenue: i } },
          { type: 'identify', userId: `bf-${i % 5}`, anonymousId: `bf-anon-${i}` },
        ] });
      }
      const add = await h.app.inject({ method: 'POST', url: '/v1/features', headers: { authorization: bearer(KEYS.admin) }, payload: { name: 'spend', kind: 'sum', event: 'Order Completed', property: 'revenue' } });
      expect(add.statusCode, add.body).toBe(201);
      await h.tact.backfill.runAll();
      await send(h.app, '/v1/track', { userId: 'bf-0', event: 'Order Completed', properties: { revenue: 100 } });
      for (let u = 0; u < 5; u++) {
        const p = (await get(h.app, `/v1/profiles/bf-${u}`)).json();
        const expected = [0, 1, 2, 3, 4].map((k) => u + 5 * k).reduce((a, b) => a + b, 0) + (u === 0 ? 100 : 0);
        expect(p.features.spend.value).toBe(expected);
        expect(p.features.spend.events).toBe(u === 0 ? 6 : 5);
      }
      const list = (await get(h.app, '/v1/features')).json();
      expect(list.features.find((f: { name: string }) => f.name === 'spend').backfill.state).toBe('done');
    });

    it('changes several kinds as one: a feature renamed with the lifecycle rule that reads it, backfilled, with one epoch', async () => {
      const features = [{ name: 'orders', kind: 'count', event: 'Order Completed' }];
      const lifecycle = (feature: string) => ({ stages: [{ name: 'buyer', when: `features.${feature} >= 2.0` }, { name: 'prospect', when: 'true' }] });
      expect((await put('features', features)).statusCode).toBe(200);
      expect((await put('lifecycle', lifecycle('orders'))).statusCode).toBe(200);
      for (let i = 0; i < 3; i++) await send(h.app, '/v1/track', { userId: 'rn-1', event: 'Order Completed', properties: { revenue: 10 } });
      const renamed = [{ name: 'purchases', kind: 'count', event: 'Order Completed' }];
      // One kind at a time, neither order can be taken: the rule reads the old name, or the new name is not defined yet.
      expect((await put('features', renamed)).statusCode).toBe(400);
      expect((await put('lifecycle', lifecycle('purchases'))).statusCode).toBe(400);
      const epoch = await h.store.documents.epoch();
      const r = await h.app.inject({ method: 'PUT', url: '/v1/config', headers: { authorization: bearer(KEYS.admin) }, payload: { documents: { lifecycle: lifecycle('purchases'), features: renamed }, reason: 'orders is called purchases', author: 'ana', expectedVersions: { features: 1, lifecycle: 1 } } });
      expect(r.statusCode, r.body).toBe(200);
      const answer = r.json();
      // In the kinds' order, whatever the order sent; one author, reason and epoch.
      expect(answer.changes.map((c: { kind: string; version: number; unchanged: boolean; author: string; reason: string }) => [c.kind, c.version, c.unchanged, c.author, c.reason])).toEqual([['features', 2, false, 'ana', 'orders is called purchases'], ['lifecycle', 2, false, 'ana', 'orders is called purchases']]);
      expect(answer.epoch).toBe(epoch + 1);
      expect(await h.store.documents.epoch()).toBe(epoch + 1);
      // The new feature is backfilled from the events stored before the change, and the rule reads it.
      await h.tact.backfill.runAll();
      const p = (await get(h.app, '/v1/profiles/rn-1')).json();
      expect([p.features.purchases?.value, p.features.orders, p.lifecycle.stage]).toEqual([3, undefined, 'buyer']);
      // And kept live: the ingest folds the next event into the new feature.
      await send(h.app, '/v1/track', { userId: 'rn-1', event: 'Order Completed', properties: { revenue: 10 } });
      expect((await get(h.app, '/v1/profiles/rn-1')).json().features.purchases.value).toBe(4);
    });

    it('stores a change of several kinds all or nothing: a stale version of one writes none, the epoch and the jobs unmoved', async () => {
      const docs = h.store.documents;
      await docs.put('lifecycle', { stages: [{ name: 'a', when: 'true' }] }, { author: 'x', reason: 'first' });
      await docs.put('lifecycle', { stages: [{ name: 'b', when: 'true' }] }, { author: 'x', reason: 'second' });
      const epoch = await docs.epoch();
      const job = { id: 'all-or-nothing', kind: 'backfill', state: 'running' as const, progress: {}, createdAt: 1, updatedAt: 1 };
      // The features first, then the lifecycle whose version is not 1: the features' write is rolled back with it.
      await expect(docs.putAll([{ kind: 'features', body: [], jobs: () => [job] }, { kind: 'lifecycle', body: { stages: [] }, expectedVersion: 1 }], { author: 'y', reason: 'stale' }))
        .rejects.toMatchObject({ code: 'conflict', message: 'The lifecycle document is at version 2, not 1; reload it and apply your change again.' });
      expect([await docs.latest('features'), (await docs.latest('lifecycle'))?.version, await docs.epoch(), await docs.getJob(job.id)]).toEqual([undefined, 2, epoch, undefined]);
      // Against the version in force: both written, one epoch, the jobs with the cut.
      const done = await docs.putAll([{ kind: 'features', body: [], jobs: (c) => [{ ...job, progress: { version: c.version, upto: c.eventSeq } }] }, { kind: 'lifecycle', body: { stages: [] }, expectedVersion: 2 }], { author: 'y', reason: 'fresh' });
      expect(done.map((d) => [d.kind, d.version, d.epoch, d.author, d.reason])).toEqual([['features', 1, epoch + 1, 'y', 'fresh'], ['lifecycle', 3, epoch + 1, 'y', 'fresh']]);
      expect((await docs.getJob(job.id))?.progress).toEqual({ version: 1, upto: done[0].eventSeq });
      await expect(docs.putAll([{ kind: 'segments', body: {} }, { kind: 'segments', body: {} }], { author: 'y', reason: 'twice' })).rejects.toThrow('A change names the kind segments twice.');
    });

    it('writes a change only at the epoch it was checked at: one committed since, of any kind, refuses it whole', async () => {
      const docs = h.store.documents;
      const checkedAt = await docs.epoch();
      // Another change (of a kind this one does not write) commits after this one was checked.
      await docs.put('lifecycle', { stages: [{ name: 'buyer', when: 'true' }] }, { author: 'other', reason: 'meanwhile' });
      const job = { id: 'moved-epoch', kind: 'backfill', state: 'running' as const, progress: {}, createdAt: 1, updatedAt: 1 };
      await expect(docs.putAll([{ kind: 'features', body: [], jobs: () => [job] }], { author: 'y', reason: 'checked before', expectedEpoch: checkedAt }))
        .rejects.toMatchObject({ code: 'conflict', epoch: checkedAt + 1, expected: checkedAt, message: expect.stringMatching(/^The configuration changed while this change was checked against it \(epoch \d+, not \d+\); nothing of it was written/) });
      expect([await docs.latest('features'), await docs.epoch(), await docs.getJob(job.id)]).toEqual([undefined, checkedAt + 1, undefined]);
      // At the epoch in force: written, the epoch moved on by one.
      const [done] = await docs.putAll([{ kind: 'features', body: [], jobs: () => [job] }], { author: 'y', reason: 'checked again', expectedEpoch: checkedAt + 1 });
      expect([done.version, done.epoch, (await docs.getJob(job.id))?.id]).toEqual([1, checkedAt + 2, job.id]);
    });

    it('creates a job once — of processes creating one at once, one does — and forgets one', async () => {
      const docs = h.store.documents;
      const job = { id: 'training-on-demand:m:1', kind: 'training-on-demand', state: 'running' as const, progress: { token: 'a' }, createdAt: 1, updatedAt: 1 };
      expect(await docs.createJob(job)).toEqual(job);
      // Taken: the job in force is answered, unchanged.
      expect(await docs.createJob({ ...job, progress: { token: 'b' }, updatedAt: 2 })).toEqual(job);
      await docs.saveJob({ ...job, state: 'done', updatedAt: 3 });
      expect(await docs.createJob({ ...job, progress: { token: 'c' } })).toMatchObject({ state: 'done', progress: { token: 'a' } });
      const racing = await Promise.all(['d', 'e', 'f', 'g'].map((token) => docs.createJob({ ...job, id: 'race', progress: { token } })));
      expect(new Set(racing.map((j) => j.progress.token)).size).toBe(1);
      await docs.deleteJob('training-on-demand:m:1');
      await docs.deleteJob('training-on-demand:m:1');
      expect(await docs.getJob('training-on-demand:m:1')).toBeUndefined();
      expect(await docs.getJob('race')).toBeDefined();
      expect(await docs.createJob({ ...job, progress: { token: 'c' } })).toMatchObject({ progress: { token: 'c' } });
    });

    it('makes, lists and revokes keys; a revoked key stops working', async () => {
      const made = await h.app.inject({ method: 'POST', url: '/v1/keys', headers: { authorization: bearer(KEYS.admin) }, payload: { kind: 'server', label: 'crm' } });
      expect(made.statusCode).toBe(201);
      const { id, secret } = made.json();
      expect((await get(h.app, '/v1/features', secret)).statusCode).toBe(200);
      expect((await get(h.app, '/v1/keys', secret)).statusCode).toBe(403);
      const listed = (await get(h.app, '/v1/keys', KEYS.admin)).json().keys;
      expect(listed.some((k: { id: string; secret?: string }) => k.id === id && k.secret === undefined)).toBe(true);
      await h.app.inject({ method: 'DELETE', url: `/v1/keys/${id}`, headers: { authorization: bearer(KEYS.admin) } });
      expect(await h.tact.keys.authenticate(secret)).toBeUndefined();
    });
  });
}
