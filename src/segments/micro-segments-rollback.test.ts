import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { afterEach, describe, expect, it } from 'vitest';
import { afterTraining, get, harness, type Harness } from '../../test/harness.js';
import { admin, ingest, putConfig, track } from '../store/conformance/learn-helpers.js';

const revenue = { name: 'revenue', kind: 'sum', event: 'Order Completed', property: 'revenue' } as const;
const orders = { name: 'orders', kind: 'count', event: 'Order Completed' } as const;
const audiences = [{ name: 'cluster_0', when: 'microSegment == 0' }, { name: 'cluster_1', when: 'microSegment == 1' }];
const micro = (features: string[]) => ({ features, k: 2, minSubjects: 4 });

describe('a rollback or promotion to a micro-segments version that needs retraining', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('goes ahead with a warning naming the version and why (a comparison refuses it), as /openapi.json describes', async () => {
    const t = (h = await harness('sqlite', { config: { features: [revenue, orders], segments: { audiences, microSegments: micro(['revenue']) } } }));
    const at = Date.now() - 60_000;
    await ingest(t, Array.from({ length: 12 }, (_, i) => track(`u-${i}`, 'Order Completed', { revenue: i % 2 ? 1000 : 10 }, at + i)));
    expect((await t.tact.learning.train(['micro-segments']))[0].promotion).toMatchObject({ promoted: true });
    // The list now names `orders` too: version 1 needs retraining; version 2, trained on both, replaces it.
    expect((await putConfig(t, 'segments', { audiences, microSegments: micro(['revenue', 'orders']) })).statusCode).toBe(200);
    await t.tact.consumers.runAll();
    const [v2] = await t.tact.learning.train(['micro-segments']);
    await afterTraining();
    expect(v2.promotion).toMatchObject({ version: 2, promoted: true });
    await t.tact.learning.settled();
    const members = async () => ((await get(t.app, '/v1/segments')).json() as { segments: { members: number }[] }).segments.map((s) => s.members);
    expect(await members()).toEqual([6, 6]);

    const paths = (await t.app.inject({ url: '/openapi.json' })).json().paths;
    const ajv = new Ajv({ strict: false, allErrors: true });
    (addFormats as unknown as (a: Ajv) => void)(ajv);
    const described = (path: string, body: unknown) => {
      const schema = paths[path].post.responses['200'].content['application/json'].schema;
      expect(schema.properties.warnings.items.required).toEqual(['version', 'message']);
      expect(ajv.validate(schema, body), ajv.errorsText()).toBe(true);
    };
    const why = expect.stringMatching(/^Version 1 of micro-segments is live but cannot be applied: it needs retraining \(`segments\.microSegments\.features` now names `revenue`, `orders`, and this version clustered `revenue`\)\. .*audiences on `microSegment` stay empty until a version trained on the features in force goes live/);

    // Until 2026-12-05: `200 { name, version: 1, from: 2 }`, and every member exited without a word.
    const back = await admin(t, '/v1/models/micro-segments/rollback', { reason: 'v2 looks off' });
    expect(back.statusCode, back.body).toBe(200);
    expect(back.json()).toEqual({ name: 'micro-segments', version: 1, from: 2, warnings: [{ version: 1, message: why }] });
    described('/v1/models/{name}/rollback', back.json());
    await t.tact.learning.settled();
    expect(await members()).toEqual([0, 0]);

    // Back to version 2 (the comparison favours it over one no longer applied): nothing to warn of.
    const again = await admin(t, '/v1/models/micro-segments/promote', { version: 2 });
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json()).not.toHaveProperty('warnings');
    // Version 1 is refused by the comparison (until 2026-12-05 it went live whenever the live one needed retraining too) …
    const refused = await admin(t, '/v1/models/micro-segments/promote', { version: 1 });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().message).toContain('version 1 needs retraining and would not be applied');
    // … and forced, goes live with the warning.
    const forced = await admin(t, '/v1/models/micro-segments/promote', { version: 1, force: true, reason: 'compare by hand' });
    expect(forced.statusCode, forced.body).toBe(200);
    expect(forced.json()).toMatchObject({ version: 1, promoted: true, previous: 2, warnings: [{ version: 1, message: why }] });
    described('/v1/models/{name}/promote', forced.json());
  });
});
