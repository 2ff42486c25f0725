import { afterEach, describe, expect, it } from 'vitest';
import { get, restartable, send, twoHarnesses } from '../../test/harness.js';
import { post } from './test-http.js';

const config = {
  catalog: { actions: [{ id: 'newsletter', name: 'Our newsletter', channels: ['web'], value: 1 }], placements: [{ id: 'home', name: 'Home', channel: 'web', slots: 1 }] },
  policy: { exploration: { budget: 0 } },
};

type Shown = { action: string; updatedAt: string | null; evidence: number };

/**
 * An action's estimate in a decision says when its evidence last changed (models.md: `updatedAt`
 * is the time of the newest evidence, not of the reading): the newest decision or outcome in the
 * counts it reads — in the answer, the log's view of it and the profile's estimates, and the same
 * after a restart rebuilds the counts from the store. Until 2026-12-07 it was null. An outcome
 * counts from when it was recorded (`recordedAt`), not when it happened.
 */
describe('the dates of the decisions\' estimates', () => {
  const server = restartable('tact-estimate-dates-', config);
  afterEach(() => server.stop());

  it('is the newest decision or outcome its counts hold, before and after a restart; null while they hold none', async () => {
    let h = await server.start();
    for (const userId of ['ana', 'bob', 'cy']) expect((await send(h.app, '/v1/identify', { userId })).statusCode).toBe(200);
    const decide = async (subject: string) => {
      const r = await post(h.app, '/v1/decide', { subject, placement: 'home', explain: 'full' });
      expect(r.statusCode, r.body).toBe(200);
      return r.json();
    };
    const first = await decide('bob');
    expect(first.choices[0].estimate).toMatchObject({ evidence: 0, updatedAt: null });
    const tA = Date.parse(first.at);
    const second = await decide('ana');
    // Bob's choice is the population's evidence now: the answer, its candidates and the log's view say when.
    expect(second.choices[0].estimate).toMatchObject({ evidence: 1, updatedAt: new Date(tA).toISOString() });
    // Bob's choice is inside its 7-day window: the answer says so (the OpenAPI document's `open`).
    expect(second.choices[0].estimate.open).toEqual({ choices: 1 });
    expect(second.explanation.candidates[0].estimate.updatedAt).toBe(new Date(tA).toISOString());
    const logged = (await get(h.app, `/v1/decisions/${second.decisionId}`)).json();
    expect(logged.choices[0].estimate.updatedAt).toBe(new Date(tA).toISOString());
    expect(logged.explanation.candidates[0].estimate.updatedAt).toBe(new Date(tA).toISOString());

    // A conversion of Bob's reported late: it happened at his decision, before Ana's, and is
    // recorded now — the newest change of everyone's estimate, dated when recorded (until
    // 2026-12-07 by its timestamp: the estimates read as unchanged since Ana's decision).
    await new Promise((r) => setTimeout(r, 5));
    const reported = await post(h.app, '/v1/outcomes', { decisionId: first.decisionId, type: 'conversion', messageId: 'o-bob', timestamp: first.at });
    expect(reported.statusCode, reported.body).toBe(200);
    const converted = reported.json().recorded[0].recordedAt as string;
    expect(reported.json().recorded[0]).toMatchObject({ at: first.at, success: true });
    expect(Date.parse(converted)).toBeGreaterThan(Date.parse(second.at));
    expect((await get(h.app, `/v1/decisions/${first.decisionId}`)).json().outcomes).toMatchObject([{ id: 'o-bob', at: first.at, recordedAt: converted }]);
    const read = async (subject: string) => ((await get(h.app, `/v1/profiles/${subject}/estimates`)).json().decisionEstimates as Shown[]).find((e) => e.action === 'newsletter')!;
    const before = { ana: await read('ana'), cy: await read('cy') };
    expect(before.ana).toMatchObject({ updatedAt: converted });
    expect(before.cy).toMatchObject({ evidence: 2, updatedAt: converted });

    await server.stop();
    h = await server.start();
    expect({ ana: await read('ana'), cy: await read('cy') }).toEqual(before);
    // Folded into the counts' snapshot, and read from it by another start.
    await h.store.decisions.foldCounts();
    await server.stop();
    h = await server.start();
    expect({ ana: await read('ana'), cy: await read('cy') }).toEqual(before);
  });
});

describe('the dates of the decisions\' estimates across processes (PostgreSQL)', () => {
  const closing: (() => Promise<void>)[] = [];
  afterEach(async () => {
    while (closing.length) await closing.pop()!();
  });

  it('are those of the evidence another process logged, once synced', async () => {
    const { a, b, close } = await twoHarnesses('postgres', { config });
    closing.push(close);
    for (const userId of ['ana', 'bob']) expect((await send(a.app, '/v1/identify', { userId })).statusCode).toBe(200);
    const read = async (h: typeof a, subject: string) => ((await get(h.app, `/v1/profiles/${subject}/estimates`)).json().decisionEstimates as Shown[]).find((e) => e.action === 'newsletter')!;
    const d = await post(a.app, '/v1/decide', { subject: 'bob', placement: 'home' });
    expect(d.statusCode, d.body).toBe(200);
    const decided = d.json().at as string;
    await b.tact.decide.sync();
    expect(await read(b, 'ana')).toMatchObject({ evidence: 1, updatedAt: decided });
    // A conversion A records late (it happened at the decision): B dates its estimates by when A
    // recorded it after its next sync, as A does.
    await new Promise((r) => setTimeout(r, 5));
    const reported = await post(a.app, '/v1/outcomes', { decisionId: d.json().decisionId, type: 'conversion', messageId: 'o-bob', timestamp: decided });
    expect(reported.statusCode, reported.body).toBe(200);
    const converted = reported.json().recorded[0].recordedAt as string;
    expect(Date.parse(converted)).toBeGreaterThan(Date.parse(decided));
    await b.tact.decide.sync();
    expect(await read(b, 'ana')).toMatchObject({ updatedAt: converted });
    expect(await read(a, 'ana')).toEqual(await read(b, 'ana'));
  });
});
