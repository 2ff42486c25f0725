import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DecisionRecord } from '../../decide/decision.js';
import { inflateRawSync } from 'node:zlib';
import { BODY_FORMAT, bodyDictionary, decodeBody } from './decision-body.js';
import { openSqliteStore } from './sqlite-store.js';
import { testDir } from '../../../test/tmp.js';

/** A record shaped as the pipeline logs it (ids, scored candidates, exclusions, facts, sentences). */
function record(i: number, segment: string | null): DecisionRecord {
  return {
    id: `01DEC${String(i).padStart(6, '0')}`, at: 1_796_000_000_000 + i, profileKey: `01PROF${i % 7}`, subject: `user-${i % 7}`, placement: 'home', channel: 'web',
    context: { page: 'checkout' }, policyVersion: 3, catalogVersion: 2, modelVersion: 'beta-ladder@1', arm: 'treatment', segment, microSegment: segment ? 4 : null, microSegmentModel: segment ? 'micro-segments@2' : null,
    choices: [{ rank: 1, kind: 'action', action: `offer-${i % 50}`, variant: 'a', score: 2.5, propensity: 0.95, why: `"Offer ${i % 50}" scored 2.5 = 5% conversion rate (population, learning — not enough data yet, n=0) × value 50.` }],
    scored: Array.from({ length: 40 }, (_, k) => ({ action: `offer-${k}`, score: 3 - k / 20, p: 0.05, lo: 0.002696, hi: 0.145869, n: k, rung: 'population', learning: true, value: 20 + k })),
    excluded: [{ stage: 'eligibility', rule: 'own eligibility rule', reason: 'its own eligibility rule does not hold', actions: Array.from({ length: 30 }, (_, k) => `offer-${50 + k}`) }],
    facts: { 'features.orders': i % 3, 'features.purchased': ['sku-1', `sku-${i}`], 'consent.Advertising': true },
    absentFacts: [], operator: `"Offer ${i % 50}" scored 2.5. 30 of 100 candidate actions were excluded (eligibility 30); most often: its own eligibility rule does not hold, 30 times.`,
    customer: `You are seeing "Offer ${i % 50}" because you were looking at shoes.`, excludedByStage: { eligibility: 30 },
  } as unknown as DecisionRecord;
}

describe('decision bodies on the embedded store', () => {
  it('are stored deflated against the dictionary (a fifth of the JSON or less) and read back exactly, beside older TEXT rows', async () => {
    const store = await openSqliteStore({ path: join(testDir('tact-body-'), 'tact.db') });
    const records = Array.from({ length: 20 }, (_, i) => record(i, i % 2 ? 'vip' : null));
    await Promise.all(records.map((r) => store.decisions.appendDecision(r)));
    const rows = store.db.prepare('SELECT id, body, segment, micro_segment AS micro FROM decisions ORDER BY seq').all() as { id: string; body: Buffer; segment: string | null; micro: number | null }[];
    expect(rows).toHaveLength(20);
    for (const row of rows) {
      const original = records.find((r) => r.id === row.id) as DecisionRecord;
      expect(Buffer.isBuffer(row.body)).toBe(true);
      expect(row.body[0]).toBe(1);
      expect(row.body.length).toBeLessThan(JSON.stringify(original).length / 5);
      expect(decodeBody(row.body)).toEqual(original);
      expect([row.segment, row.micro]).toEqual([original.segment, original.microSegment]);
    }
    expect(await store.decisions.getDecision(records[3].id)).toEqual(records[3]);
    // A row written before migration decide-002 (TEXT body) reads as before.
    const old = record(99, 'vip');
    store.db.prepare('INSERT INTO decisions (id, profile_key, placement, at, body) VALUES (?, ?, ?, ?, ?)').run(old.id, old.profileKey, old.placement, old.at, JSON.stringify(old));
    expect(await store.decisions.getDecision(old.id)).toEqual(old);
    const listed = await store.decisions.queryDecisions({ placement: 'home', limit: 100 });
    expect(listed.map((r) => r.id).sort()).toEqual([...records.map((r) => r.id), old.id].sort());
    await store.close();
  });

  it('hold the text JSON.stringify makes of the record, though the writer thread serialises it (both writers)', async () => {
    // The record crosses to the writer thread as a structured clone and is serialised there: the
    // stored text must be the one the event loop would have made — a date as its ISO string,
    // undefined fields left out, undefined in an array as null, a non-Latin-1 sentence unchanged.
    const r = record(7, 'vip') as unknown as Record<string, unknown>;
    r.context = { page: 'checkout', when: new Date(Date.UTC(2026, 11, 6, 9, 30)), gone: undefined, list: [1, undefined, 'x'] };
    r.operator = '"Offer 7" scored 2.5 − 0.4 — a fall.';
    r.handoff = undefined;
    const expected = JSON.stringify(r);
    for (const path of [join(testDir('tact-body-json-'), 'tact.db'), ':memory:']) {
      const store = await openSqliteStore({ path });
      await store.decisions.appendDecision(r as unknown as DecisionRecord);
      const body = store.db.prepare('SELECT body FROM decisions WHERE id = ?').pluck().get(r.id) as Buffer;
      expect(inflateRawSync(body.subarray(1), { dictionary: bodyDictionary(BODY_FORMAT) }).toString('utf8')).toBe(expected);
      await store.close();
    }
  });

  it('refuses a format byte it does not know, by name', () => {
    expect(() => decodeBody(Uint8Array.from([9, 1, 2]))).toThrow('Decision body format 9 is not known to this version of Tact.');
  });
});
