import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KEYS, bearer, get, harness, type Harness } from '../../test/harness.js';
import { fieldInDocuments } from './routes.js';

const features = [{ name: 'orders', kind: 'count', event: 'Order Completed' }];
const lifecycle = { stages: [{ name: 'buyer', when: 'features.orders >= 2.0' }, { name: 'prospect', when: 'true' }] };

describe('PUT /v1/config: several kinds as one change', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness('sqlite', { config: { features, lifecycle } });
  });
  afterEach(async () => h.close());

  const putAll = (payload: object) => h.app.inject({ method: 'PUT', url: '/v1/config', headers: { authorization: bearer(KEYS.admin) }, payload });
  const versions = async () => {
    const kinds = (await get(h.app, '/v1/config')).json();
    return { epoch: kinds.epoch, features: kinds.kinds.find((k: { kind: string }) => k.kind === 'features').version, lifecycle: kinds.kinds.find((k: { kind: string }) => k.kind === 'lifecycle').version };
  };

  it('refuses a change with any bad document, naming every bad field under `documents`, and stores none of it', async () => {
    const before = await versions();
    const r = await putAll({ documents: { features: [{ name: 'orders', kind: 'cout', event: 'Order Completed' }], lifecycle: { stages: [{ name: 'buyer', when: 'features.order >= 2.0' }] } }, reason: 'two mistakes' });
    expect([r.statusCode, r.json().error]).toEqual([400, 'validation_failed']);
    expect(r.json().problems).toEqual([
      { field: 'documents.features[0].kind', message: expect.stringMatching(/^The `kind` must be one of count, /) },
      { field: 'documents.lifecycle.stages[0].when', message: expect.stringMatching(/reads `features.order`, which is not a defined feature: did you mean `features.orders`\?/) },
    ]);
    // A good document beside a bad one: the good one is not stored either.
    const half = await putAll({ documents: { features: [...features, { name: 'revenue', kind: 'sum', event: 'Order Completed', property: 'revenue' }], lifecycle: { stages: [{ name: 'x', when: 'features.nothing > 1.0' }] } }, reason: 'half good' });
    expect(half.statusCode).toBe(400);
    expect(half.json().problems.map((p: { field: string }) => p.field)).toEqual(['documents.lifecycle.stages[0].when']);
    expect(await versions()).toEqual(before);
  });

  it('checks each document against the others as they will be: a rule reading a feature the same change removes is refused', async () => {
    const r = await putAll({ documents: { features: [{ name: 'spend', kind: 'sum', event: 'Order Completed', property: 'revenue' }], lifecycle: { stages: [{ name: 'buyer', when: 'features.orders >= 2.0' }] } }, reason: 'removes what the rule reads' });
    expect(r.statusCode).toBe(400);
    expect(r.json().problems[0].field).toMatch(/^documents\.(features|lifecycle)/);
    expect(r.json().message).toMatch(/orders/);
  });

  it('refuses a kind there is not (naming the one meant), an expected version of a kind not sent, no kind at all, a blank reason, and the config file\'s author', async () => {
    const unknown = await putAll({ documents: { merge_rules: { limits: {} } }, reason: 'x' });
    expect([unknown.statusCode, unknown.json().problems]).toEqual([400, [{ field: 'documents.merge_rules', message: expect.stringMatching(/^No configuration kind matches `merge_rules`: did you mean `merge-rules`\? The configuration kinds are features, merge-rules, /) }]]);
    const stray = await putAll({ documents: { features }, expectedVersions: { lifecycle: 1 }, reason: 'x' });
    expect([stray.statusCode, stray.json().problems]).toEqual([400, [{ field: 'expectedVersions.lifecycle', message: 'The `expectedVersions` name `lifecycle`, which `documents` does not change: name only the kinds sent, each with the version it was changed from.' }]]);
    const none = await putAll({ documents: {}, reason: 'x' });
    expect([none.statusCode, none.json().problems[0].field]).toEqual([400, 'documents']);
    const blank = await putAll({ documents: { features }, reason: '   ' });
    expect([blank.statusCode, blank.json().problems[0].field]).toEqual([400, 'reason']);
    const file = await putAll({ documents: { features }, reason: 'x', author: 'config-file' });
    expect([file.statusCode, file.json().problems[0].field]).toEqual([400, 'author']);
    const misspelt = await putAll({ documents: { features }, reason: 'x', expectedVersion: 1 });
    expect([misspelt.statusCode, misspelt.json().message]).toEqual([400, 'The `expectedVersion` property is not one this endpoint takes.']);
  });

  it('with `fromFile`, answers a kind the config file wrote with the same content unchanged; without it, the PUT takes the kind over with a new version', async () => {
    const before = await versions();
    const asFile = await putAll({ documents: { features, lifecycle }, reason: 'the file again', fromFile: true });
    expect(asFile.statusCode).toBe(200);
    expect(asFile.json().changes.map((c: { kind: string; version: number; unchanged: boolean; author: string }) => [c.kind, c.version, c.unchanged, c.author])).toEqual([['features', before.features, true, 'config-file'], ['lifecycle', before.lifecycle, true, 'config-file']]);
    expect(await versions()).toEqual(before);
    const taken = await putAll({ documents: { features }, reason: 'the API owns it now' });
    expect(taken.json().changes.map((c: { version: number; unchanged: boolean }) => [c.version, c.unchanged])).toEqual([[before.features + 1, false]]);
    // Content the file did not write is written with it as without it.
    const changed = await putAll({ documents: { lifecycle: { stages: [{ name: 'all', when: 'true' }] } }, reason: 'x', fromFile: true });
    expect(changed.json().changes.map((c: { version: number; unchanged: boolean }) => [c.version, c.unchanged])).toEqual([[before.lifecycle + 1, false]]);
  });

  it('is a 409 when any kind is not at its expected version, and stores none of it', async () => {
    const before = await versions();
    const r = await putAll({ documents: { features: [...features, { name: 'spend', kind: 'sum', event: 'Order Completed', property: 'revenue' }], lifecycle: { stages: [{ name: 'all', when: 'true' }] } }, expectedVersions: { features: before.features, lifecycle: before.lifecycle - 1 }, reason: 'stale' });
    expect([r.statusCode, r.json().error]).toEqual([409, 'conflict']);
    expect(r.json().message).toContain(`The lifecycle document is at version ${before.lifecycle}, not ${before.lifecycle - 1}`);
    expect(await versions()).toEqual(before);
  });

  it('writes no version of a kind already holding the document sent, and none at all when every kind does', async () => {
    const before = await versions();
    const same = await putAll({ documents: { lifecycle: { stages: [...lifecycle.stages].map((s) => ({ when: s.when, name: s.name })) }, features }, reason: 'as they are' });
    expect(same.statusCode, same.body).toBe(200);
    // Versions the config file wrote are taken over by the API's author, as PUT /v1/config/{kind} does.
    expect(same.json().changes.map((c: { kind: string; unchanged: boolean; author: string }) => [c.kind, c.unchanged, c.author])).toEqual([['features', false, expect.stringMatching(/^key from TACT_ADMIN_KEY \(/)], ['lifecycle', false, expect.stringMatching(/^key from TACT_ADMIN_KEY \(/)]]);
    const again = await putAll({ documents: { features, lifecycle }, reason: 'again' });
    expect(again.json().changes.map((c: { unchanged: boolean; version: number }) => [c.unchanged, c.version])).toEqual([[true, before.features + 1], [true, before.lifecycle + 1]]);
    expect(again.json().epoch).toBe(same.json().epoch);
    // One kind changed, the other as it is: only the changed one gets a version.
    const one = await putAll({ documents: { features, lifecycle: { stages: [{ name: 'everyone', when: 'true' }] } }, reason: 'one of two' });
    expect(one.json().changes.map((c: { kind: string; unchanged: boolean; version: number }) => [c.kind, c.unchanged, c.version])).toEqual([['features', true, before.features + 1], ['lifecycle', false, before.lifecycle + 2]]);
    expect(one.json().epoch).toBe(same.json().epoch + 1);
  });
});

describe('PUT /v1/config: warnings and a dry run', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness('sqlite');
  });
  afterEach(async () => h.close());

  const putAll = (payload: object) => h.app.inject({ method: 'PUT', url: '/v1/config', headers: { authorization: bearer(KEYS.admin) }, payload });
  const actions = [{ id: 'weak', name: 'Weak offer', channels: ['web'], value: 10 }, { id: 'strong', name: 'Strong offer', channels: ['web'], value: 10 }];
  // A placement's bandit floor above the policy's exploration budget: applied, with a warning on both (stored-warnings.test.ts).
  const catalog = (floor: number) => ({ actions, placements: [{ id: 'p0', channel: 'web', selection: { kind: 'thompson', features: ['context.mobile'], floor } }] });
  const policy = (budget: number) => ({ exploration: { budget } });
  const kinds = async () => (await get(h.app, '/v1/config')).json() as { epoch: number; kinds: { kind: string; version: number }[] };

  it('warns of each document against the others as the change leaves them, not as they were', async () => {
    const first = await putAll({ documents: { catalog: catalog(0.2), policy: policy(0.1) }, reason: 'floor above budget' });
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json().changes.map((c: { kind: string; warnings: { field: string }[] }) => [c.kind, c.warnings.map((w) => w.field)])).toEqual([['catalog', ['placements[0].selection.floor']], ['policy', ['exploration.budget']]]);
    // The budget raised with a higher floor in the same change: no warning, though the floor is above the budget in force before.
    const second = await putAll({ documents: { catalog: catalog(0.25), policy: policy(0.3) }, reason: 'both up' });
    expect(second.json().changes.map((c: { warnings: unknown[] }) => c.warnings)).toEqual([[], []]);
  });

  it('with dryRun, answers what the change would be and stores nothing: its versions and warnings, or the same 400 and 409', async () => {
    expect((await putAll({ documents: { catalog: catalog(0.05), policy: policy(0.1) }, reason: 'start' })).statusCode).toBe(200);
    const before = await kinds();
    const dry = await putAll({ documents: { catalog: catalog(0.2), policy: policy(0.1) }, reason: 'floor up', dryRun: true });
    expect(dry.statusCode, dry.body).toBe(200);
    const answer = dry.json();
    expect([answer.dryRun, answer.epoch]).toEqual([true, before.epoch + 1]);
    // The catalog's next version with its warning against the policy; the policy unchanged, warned of against the catalog it would meet.
    expect(answer.changes.map((c: { kind: string; version: number; unchanged: boolean; reason: string; warnings: { field: string }[] }) => [c.kind, c.version, c.unchanged, c.reason, c.warnings.map((w) => w.field)]))
      .toEqual([['catalog', 2, false, 'floor up', ['placements[0].selection.floor']], ['policy', 1, true, 'start', ['exploration.budget']]]);
    expect(await kinds()).toEqual(before);
    // The same change made: what the dry run said.
    const made = await putAll({ documents: { catalog: catalog(0.2), policy: policy(0.1) }, reason: 'floor up' });
    expect(made.json().changes.map((c: { kind: string; version: number; unchanged: boolean; warnings: { field: string }[] }) => [c.kind, c.version, c.unchanged, c.warnings.map((w) => w.field)]))
      .toEqual(answer.changes.map((c: { kind: string; version: number; unchanged: boolean; warnings: { field: string }[] }) => [c.kind, c.version, c.unchanged, c.warnings.map((w) => w.field)]));
    expect(made.json().dryRun).toBe(false);
    const after = await kinds();
    // Refused as the change would be, and still nothing stored.
    const bad = await putAll({ documents: { catalog: { ...catalog(0.2), placements: [{ id: 'p0', channel: 'web', selection: { kind: 'thompsn' } }] } }, reason: 'x', dryRun: true });
    expect([bad.statusCode, bad.json().problems[0].field]).toEqual([400, 'documents.catalog.placements[0].selection.kind']);
    const stale = await putAll({ documents: { policy: policy(0.5) }, expectedVersions: { policy: 0 }, reason: 'x', dryRun: true });
    expect([stale.statusCode, stale.json().message]).toEqual([409, 'The policy document is at version 1, not 0; reload it and apply your change again.']);
    expect(await kinds()).toEqual(after);
  });
});

describe('fieldInDocuments', () => {
  it('names a problem under its kind in the body, once', () => {
    expect(fieldInDocuments('lifecycle', 'stages[0].when')).toBe('documents.lifecycle.stages[0].when');
    expect(fieldInDocuments('features', 'features[0].kind')).toBe('documents.features[0].kind');
    expect(fieldInDocuments('features', 'features')).toBe('documents.features');
    expect(fieldInDocuments('segments', '')).toBe('documents.segments');
    expect(fieldInDocuments('tracking-plan', '[0]')).toBe('documents.tracking-plan[0]');
  });
});
