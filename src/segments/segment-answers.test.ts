import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, type Harness } from '../../test/harness.js';
import { declaredAnswers } from '../models/answers-fixture.js';
import { putConfig } from '../store/conformance/learn-helpers.js';
import { orders, revenue, twoClusters } from './two-clusters-fixture.js';

type Answer = Record<string, unknown>;

/**
 * The segments' answers (and a profile's estimates naming its micro-segment) declare their shape
 * in /openapi.json (until 2026-12-05 open objects), and declaring it — Fastify serializes through
 * it — dropped no field of what the handlers return.
 */
describe('the segments\' answers', () => {
  let h: Harness | undefined;
  let t: Harness;
  let answers: ReturnType<typeof declaredAnswers>;
  beforeAll(async () => {
    // The hook must be added before the app's first request: the fixture's ingestion is one.
    ({ t } = await twoClusters('sqlite', (opened) => {
      h = opened;
      answers = declaredAnswers(opened.app);
    }));
  });
  afterAll(async () => h?.close());

  it('the segments with their counts, and the live micro-segments with their centres', async () => {
    const { body } = await answers.check('GET', '/v1/segments', '/v1/segments', undefined, KEYS.server);
    expect(Object.keys(body).sort()).toEqual(['microSegments', 'segments', 'version']);
    expect(Object.keys((body.segments as Answer[])[0]).sort()).toEqual(['entries', 'errors', 'exits', 'members', 'name', 'when']);
    const micro = body.microSegments as Answer;
    expect(Object.keys(micro).sort()).toEqual(['clusters', 'features', 'k', 'modelVersion', 'sizes', 'status', 'varianceExplained']);
    expect((micro.clusters as Answer[])[0]).toEqual({ index: 0, size: 6, centre: { revenue: expect.any(Number), orders: expect.any(Number) } });
  });

  it('members, a page at a time, and the entries and exits, newest first or from a cursor', async () => {
    const page = (await answers.check('GET', '/v1/segments/cluster_0/members?limit=4', '/v1/segments/{name}/members', undefined, KEYS.server)).body;
    expect(page.next).toEqual(expect.any(String));
    expect(Object.keys((page.members as Answer[])[0]).sort()).toEqual(['profileId', 'since']);
    const last = (await answers.check('GET', `/v1/segments/cluster_0/members?after=${page.next as string}`, '/v1/segments/{name}/members', undefined, KEYS.server)).body;
    expect(last.next).toBeNull();
    // A last page exactly full says it is the last (until 2026-12-05 it named an empty page after it).
    const full = (await answers.check('GET', '/v1/segments/cluster_0/members?limit=6', '/v1/segments/{name}/members', undefined, KEYS.server)).body;
    expect([(full.members as Answer[]).length, full.next]).toEqual([6, null]);
    for (const q of ['', '?after=0&limit=3']) {
      const events = (await answers.check('GET', `/v1/segments/cluster_0/events${q}`, '/v1/segments/{name}/events', undefined, KEYS.server)).body;
      expect(Object.keys((events.events as Answer[])[0]).sort()).toEqual(['at', 'kind', 'profileId', 'reason', 'segmentsVersion', 'seq']);
    }
  });

  it('a profile\'s estimates name its segments and micro-segment', async () => {
    const { body } = await answers.check('GET', '/v1/profiles/u-1/estimates', '/v1/profiles/{identifier}/estimates', undefined, KEYS.server);
    expect(body.microSegment).toEqual({ index: expect.any(Number), modelVersion: 'micro-segments@1' });
    expect((body.segments as string[]).length).toBe(1);
  });

  it('micro-segments that need retraining say why', async () => {
    expect((await putConfig(t, 'features', [{ ...revenue, property: 'amount' }, orders])).statusCode).toBe(200);
    await t.tact.backfill.runAll();
    const micro = (await answers.check('GET', '/v1/segments', '/v1/segments', undefined, KEYS.server)).body.microSegments as Answer;
    expect(micro).toMatchObject({ status: 'needs-retraining', reason: expect.any(String) });
  });

  it('/openapi.json declares the fields of each answer', async () => {
    const props = async (path: string) => Object.keys(((await answers.schema('GET', path, 200)) as { properties: object }).properties);
    expect(await props('/v1/segments')).toEqual(['version', 'segments', 'microSegments']);
    expect(await props('/v1/segments/{name}/members')).toEqual(['segment', 'members', 'next']);
    expect(await props('/v1/segments/{name}/events')).toEqual(['segment', 'events', 'next']);
  });
});
