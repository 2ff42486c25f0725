import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KEYS, get, harness, openTestStore, send, type Harness, type StoreKind } from '../../../test/harness.js';
import type { DecisionRecord } from '../../decide/decision.js';
import { shopConfig, shopPolicy } from '../../decide/fixtures.js';
import { advertising, decideReq, picked, post } from '../../decide/test-http.js';
import type { Store } from '../store.js';
import { openSqliteStore } from '../sqlite/sqlite-store.js';
import { openPostgresStore } from '../postgres/postgres-store.js';
import { testDir } from '../../../test/tmp.js';
import { decideLateOutcomesConformance } from './decide-late-outcomes.case.js';

const DAY = 86_400_000;
// No quiet hours here: these cases must not depend on the time of day they run at.
const config = () => shopConfig({ contact: { caps: [{ name: 'email cap', channel: 'email', max: 2, window: '7d' }], dismissals: { count: 2, window: '30d' } } });

function oldRecord(id: string, at: number): DecisionRecord {
  return {
    id, at, profileKey: 'anon:old', subject: 'old', placement: 'home', channel: 'web', context: {}, policyVersion: 1, catalogVersion: 1, modelVersion: 'm',
    arm: 'treatment', choices: [{ rank: 1, kind: 'action', action: 'newsletter', score: 0.1, propensity: 1, why: '' }], scored: [], excluded: [], facts: {}, absentFacts: [], operator: '', customer: '', excludedByStage: {},
  };
}

/** The decision log, outcomes, flags and reviews: the same on every store. */
export function decideConformance(kind: StoreKind): void {
  describe(`decisions (${kind})`, () => {
    let h: Harness;
    beforeEach(async () => {
      h = await harness(kind, { config: config() });
      await send(h.app, '/v1/identify', { userId: 'ana', context: advertising });
    });
    afterEach(async () => h.close());

    it('keeps every decision durably with its explanation and facts, queryable by subject, action and time', async () => {
      const a = (await decideReq(h.app, { subject: 'ana', placement: 'home', n: 2 })).json();
      const b = (await decideReq(h.app, { subject: 'ana', placement: 'weekly-email' })).json();
      const stored = await h.store.decisions.getDecision(a.decisionId);
      expect(stored).toMatchObject({ id: a.decisionId, subject: 'ana', placement: 'home', policyVersion: 1, catalogVersion: 1, facts: { 'consent.Advertising': true } });
      expect(stored!.choices.map((c) => c.action)).toEqual(['shoes-offer', 'socks-offer']);
      expect(stored!.scored.length + stored!.excluded.reduce((n, g) => n + g.actions.length, 0)).toBe(5);
      const key = stored!.profileKey;
      expect((await h.store.decisions.queryDecisions({ profileKey: key, limit: 10 })).map((d) => d.id)).toEqual([b.decisionId, a.decisionId]);
      expect((await h.store.decisions.queryDecisions({ action: 'socks-offer', limit: 10 })).map((d) => d.id)).toEqual([a.decisionId]);
      expect((await h.store.decisions.queryDecisions({ action: 'shoes-offer', profileKey: key, placement: 'weekly-email', limit: 10 })).map((d) => d.id)).toEqual([b.decisionId]);
      expect(await h.store.decisions.queryDecisions({ profileKey: key, to: stored!.at, limit: 10 })).toEqual([]);
      // Several keys: a subject's own and those merged into it (or decided for before it had a profile).
      const early = (await decideReq(h.app, { subject: 'not-yet', placement: 'home' })).json();
      expect((await h.store.decisions.queryDecisions({ profileKey: [key, 'anon:not-yet'], limit: 10 })).map((d) => d.id)).toEqual([early.decisionId, b.decisionId, a.decisionId]);
      expect((await h.store.decisions.queryDecisions({ profileKey: ['anon:not-yet', 'anon:nobody'], action: 'newsletter', limit: 10 })).map((d) => d.id)).toEqual([early.decisionId]);
      expect(await h.store.decisions.queryDecisions({ profileKey: [], limit: 10 })).toEqual([]);
      const contacts = (await h.store.decisions.contactsSince(0)).filter((c) => c.profileKey === key);
      expect(contacts.map((c) => [c.action, c.channel])).toEqual([['shoes-offer', 'web'], ['socks-offer', 'web'], ['shoes-offer', 'email']]);
      // Dated by its newest choice: b's.
      expect((await h.store.decisions.trialCounts()).find((r) => r.action === 'shoes-offer')).toEqual({ action: 'shoes-offer', profileKey: key, n: 2, at: (await h.store.decisions.getDecision(b.decisionId))!.at });
    });

    it('gives a subject’s action choices in a time range, under all its keys, in time and rank order', async () => {
      const a = (await decideReq(h.app, { subject: 'ana', placement: 'home', n: 2 })).json();
      const early = (await decideReq(h.app, { subject: 'not-yet', placement: 'home' })).json();
      const da = (await h.store.decisions.getDecision(a.decisionId))!;
      const de = (await h.store.decisions.getDecision(early.decisionId))!;
      const both = await h.store.decisions.contactsOf([da.profileKey, 'anon:not-yet'], 0, de.at);
      expect(both.map((c) => [c.decisionId, c.action, c.profileKey, c.channel, c.placement])).toEqual([
        [a.decisionId, 'shoes-offer', da.profileKey, 'web', 'home'], [a.decisionId, 'socks-offer', da.profileKey, 'web', 'home'], [early.decisionId, 'newsletter', 'anon:not-yet', 'web', 'home'],
      ]);
      expect(both[0].at).toBe(da.at);
      // Newest first, a decision's choices still in rank order, as many as asked.
      expect((await h.store.decisions.contactsOf([da.profileKey], 0, da.at, { newestFirst: { limit: 1 } })).map((c) => c.action)).toEqual(['shoes-offer']);
      expect((await h.store.decisions.contactsOf([da.profileKey], 0, da.at, { newestFirst: { limit: 5 } })).map((c) => c.action)).toEqual(['shoes-offer', 'socks-offer']);
      expect(await h.store.decisions.contactsOf([da.profileKey], 0, da.at - 1)).toEqual([]);
      expect(await h.store.decisions.contactsOf([da.profileKey], da.at + 1, da.at + DAY)).toEqual([]);
      expect(await h.store.decisions.contactsOf([], 0, Date.now())).toEqual([]);
      // Pages of the whole log by time, as the ledger's rebuild reads it: [at, before).
      expect((await h.store.decisions.contactsSince(da.at, da.at + 1)).filter((c) => c.decisionId === a.decisionId).map((c) => c.action)).toEqual(['shoes-offer', 'socks-offer']);
      expect((await h.store.decisions.contactsSince(0, da.at)).filter((c) => c.decisionId === a.decisionId)).toEqual([]);
    });

    it('answers many subjects’ reads of their action choices at once, each as contactsOf answers it alone, across more reads than one query makes', async () => {
      const m = 29_100_000 * 60_000;
      const rec = (id: string, at: number, key: string, actions: string[]) => {
        const r = oldRecord(id, at);
        return { ...r, profileKey: key, choices: actions.map((action, i) => ({ ...r.choices[0], rank: i + 1, action })) };
      };
      // Two decisions at one time (ties ordered by decision, then rank), several keys, a decision with two choices.
      for (const r of [
        rec('w2', m, 'p-1', ['shoes-offer', 'socks-offer']), rec('w1', m, 'p-1', ['newsletter']), rec('w3', m + 10, 'anon:w-1', ['shoes-offer']),
        rec('w4', m + 20, 'p-1', ['socks-offer']), rec('w5', m + 30, 'p-2', ['newsletter']),
      ]) await h.store.decisions.appendDecision(r);
      const reads = [
        { profileKeys: ['p-1'], from: m, to: m + 20 },
        { profileKeys: ['p-1', 'anon:w-1'], from: m, to: m + 30, newestFirst: { limit: 3 } },
        { profileKeys: [], from: 0, to: m + 30 },
        { profileKeys: ['p-2', 'p-1'], from: m + 1, to: m + 30 },
        { profileKeys: ['p-1'], from: m, to: m, newestFirst: { limit: 100 } },
        { profileKeys: ['nobody'], from: 0, to: m + 30 },
        ...Array.from({ length: 1200 }, (_, i) => ({ profileKeys: [i % 2 ? 'p-1' : 'anon:w-1', 'p-2'], from: m + (i % 40), to: m + 30, ...(i % 3 ? { newestFirst: { limit: 1 + (i % 4) } } : {}) })),
      ];
      const many = await h.store.decisions.contactsOfMany(reads);
      expect(many).toHaveLength(reads.length);
      for (const [i, r] of reads.entries()) expect(many[i], `read ${i}`).toEqual(await h.store.decisions.contactsOf(r.profileKeys, r.from, r.to, r));
      expect(many.slice(0, 6).map((rows) => rows.map((c) => `${c.decisionId}:${c.action}`))).toEqual([
        ['w1:newsletter', 'w2:shoes-offer', 'w2:socks-offer', 'w4:socks-offer'],
        ['w4:socks-offer', 'w3:shoes-offer', 'w1:newsletter'],
        [],
        ['w4:socks-offer', 'w5:newsletter'],
        ['w1:newsletter', 'w2:shoes-offer', 'w2:socks-offer'],
        [],
      ]);
      expect(await h.store.decisions.contactsOfMany([])).toEqual([]);
    });

    it('counts action choices per channel, action and minute, and names the anonymous keys with choices, for a start that reads neither row by row', async () => {
      const m = 29_000_000 * 60_000; // a minute's start
      const rec = (id: string, at: number, key: string, action: string | null, channel = 'web') => {
        const r = oldRecord(id, at);
        return { ...r, profileKey: key, channel, segment: 'vip', choices: action ? [{ ...r.choices[0], action }] : [{ rank: 1, kind: 'none' as const, score: 0, propensity: 1, why: '' }] };
      };
      for (const r of [
        rec('v1', m, 'p-1', 'shoes-offer'), rec('v2', m + 59_999, 'anon:v-1', 'shoes-offer'), rec('v3', m + 60_000, 'p-1', 'shoes-offer'),
        rec('v4', m + 60_001, 'p-2', 'socks-offer', 'email'), rec('v5', m + 120_000, 'anon:v-2', null), rec('v6', m + 180_000, 'anon:v-3', 'newsletter'),
      ]) await h.store.decisions.appendDecision(r);
      const volumes = (await h.store.decisions.contactVolumes(m, m + 180_000)).map((v) => [v.channel, v.action, Number(v.minute) - m / 60_000, Number(v.n)]);
      expect(volumes.sort()).toEqual([['email', 'socks-offer', 1, 1], ['web', 'shoes-offer', 0, 2], ['web', 'shoes-offer', 1, 1]]);
      // Keys of subjects with no profile that have an action choice in [from, to): not a "none" only, not past `to`.
      expect((await h.store.decisions.anonymousKeys(m, m + 180_000)).sort()).toEqual(['anon:v-1']);
      expect((await h.store.decisions.anonymousKeys(m, m + 180_001)).sort()).toEqual(['anon:v-1', 'anon:v-3']);
      // A subject's contacts carry their decision's ladder position (the outcome recorder credits its groups from it).
      expect((await h.store.decisions.contactsOf(['p-1'], m, m + 60_000)).map((c) => [c.decisionId, c.segment])).toEqual([['v1', 'vip'], ['v3', 'vip']]);
      expect((await h.store.decisions.positionsOf(['v1', 'v4', 'nope'])).sort((a, b) => a.id.localeCompare(b.id))).toEqual([
        // …its time (another process's success teaches the delay from it) and the key it was made under
        // (the success marks the subject's kept choice under it, though credited under a key merged since).
        { id: 'v1', at: m, profileKey: 'p-1', segment: 'vip', microSegment: null, microSegmentModel: null }, { id: 'v4', at: m + 60_001, profileKey: 'p-2', segment: 'vip', microSegment: null, microSegmentModel: null },
      ]);
      expect(await h.store.decisions.positionsOf([])).toEqual([]);
      // One key's newest first, as many as asked, within [from, to].
      expect((await h.store.decisions.newestContactsOfKey('p-1', m, m + 60_000, 1)).map((c) => c.decisionId)).toEqual(['v3']);
      expect((await h.store.decisions.newestContactsOfKey('p-1', m, m + 60_000, 5)).map((c) => c.decisionId)).toEqual(['v3', 'v1']);
      expect((await h.store.decisions.newestContactsOfKey('p-1', m + 1, m + 59_999, 5)).map((c) => c.decisionId)).toEqual([]);
      expect((await h.store.decisions.newestContactsOfKey('anon:v-2', m, m + 180_000, 5)).map((c) => c.decisionId)).toEqual([]);
    });

    it('credits an outcome to a decision the contact ledger no longer holds, from the log', async () => {
      const d = (await decideReq(h.app, { subject: 'ana', placement: 'home' })).json();
      const key = (await h.store.decisions.getDecision(d.decisionId))!.profileKey;
      // Pruned as a server would be ten minutes on: no cap counts web contacts, so the ledger lets it go.
      h.tact.decide.state.ledger.prune(Date.now() + 10 * 60_000);
      expect(h.tact.decide.state.ledger.view(key).list()).toEqual([]);
      await send(h.app, '/v1/track', { userId: 'ana', event: 'Order Completed', messageId: 'm-late', properties: { revenue: 12 } });
      await h.tact.consumers.runAll();
      expect(await h.store.decisions.outcomesOf(d.decisionId)).toMatchObject([{ id: 'm-late', action: 'shoes-offer', credit: 1, success: true, value: 12 }]);
    });

    it('credits a success to the groups of a decision the state does not remember, as the log records them', async () => {
      const key = (await get(h.app, '/v1/profiles/ana')).json().id as string;
      // Logged an hour ago with the subject in segment "vip" (by another process, or before a start): the state never saw it.
      const r = oldRecord('d-vip', Date.now() - 3_600_000);
      await h.store.decisions.appendDecision({ ...r, profileKey: key, subject: 'ana', segment: 'vip', choices: [{ ...r.choices[0], action: 'shoes-offer' }] });
      const group = () => h.tact.decide.state.counts.group('shoes-offer', 'segment:vip').successes;
      expect(group()).toBe(0);
      await send(h.app, '/v1/track', { userId: 'ana', event: 'Order Completed', messageId: 'm-vip', properties: { revenue: 12 } });
      await h.tact.consumers.runAll();
      expect(await h.store.decisions.outcomesOf('d-vip')).toMatchObject([{ id: 'm-vip', success: true }]);
      expect(group()).toBe(1);
    });

    it('counts a decision’s success once, after the state let go of it too (the log remembers)', async () => {
      const d = (await decideReq(h.app, { subject: 'ana', placement: 'home' })).json();
      await send(h.app, '/v1/track', { userId: 'ana', event: 'Order Completed', messageId: 'm-first', properties: { revenue: 5 } });
      await h.tact.consumers.runAll();
      const trials = () => h.tact.decide.state.counts.population('shoes-offer');
      expect(trials()).toMatchObject({ successes: 1 });
      h.tact.decide.state.prune(Date.now() + 10 * 60_000);
      expect(h.tact.decide.state.hadSuccess(d.decisionId, 'shoes-offer')).toBe(false);
      await send(h.app, '/v1/track', { userId: 'ana', event: 'Order Completed', messageId: 'm-second', properties: { revenue: 7 } });
      await h.tact.consumers.runAll();
      expect((await h.store.decisions.outcomesOf(d.decisionId)).map((o) => [o.id, o.success])).toEqual([['m-first', true], ['m-second', false]]);
      expect(trials()).toMatchObject({ successes: 1 });
    });

    it('records an outcome once per id and decision, and counts its success', async () => {
      const d = (await decideReq(h.app, { subject: 'ana', placement: 'home' })).json();
      await send(h.app, '/v1/track', { userId: 'ana', event: 'Order Completed', messageId: 'm-1', properties: { revenue: 10 } });
      await h.tact.consumers.runAll();
      const rec = (await h.store.decisions.outcomesOf(d.decisionId))[0];
      expect(rec).toMatchObject({ id: 'm-1', decisionId: d.decisionId, action: 'shoes-offer', type: 'conversion', value: 10, reward: 10, credit: 1, success: true, source: 'event' });
      await h.store.decisions.addOutcomes([rec, { ...rec, reward: 99 }]);
      expect(await h.store.decisions.outcomesOf(d.decisionId)).toEqual([rec]);
      // Dated when recorded (the consumer's time, at or after the event's).
      expect(rec.recordedAt).toBeGreaterThanOrEqual(rec.at);
      expect(await h.store.decisions.successCounts()).toEqual([{ action: 'shoes-offer', profileKey: rec.profileKey, n: 1, at: rec.recordedAt }]);
      expect((await h.store.decisions.outcomesSince(rec.at + 1))).toEqual([]);
    });

    it('tells which outcome ids it holds already, whatever their decision, and keeps successes and dismissals apart', async () => {
      const base = { at: 1_000, profileKey: 'anon:x', value: null, action: 'newsletter', credit: 1, reward: 0, source: 'api' as const };
      await h.store.decisions.addOutcomes([
        { ...base, id: 'o-1', type: 'click', decisionId: 'd-1', success: false },
        { ...base, id: 'o-2', type: 'conversion', decisionId: null, success: true },
        { ...base, id: 'o-3', type: 'dismissal', decisionId: 'd-2', success: false },
        { ...base, id: 'o-1', type: 'click', decisionId: 'd-3', success: false },
      ]);
      expect(await h.store.decisions.loggedOutcomeIds(['o-1', 'o-2', 'o-9', "o-'; --", ''])).toEqual(new Set(['o-1', 'o-2']));
      expect(await h.store.decisions.loggedOutcomeIds([])).toEqual(new Set());
      // One id credited to two decisions has two records; a retry's answer reads them back.
      expect((await h.store.decisions.outcomesWithIds(['o-1', 'o-9'])).map((o) => [o.id, o.decisionId])).toEqual([['o-1', 'd-1'], ['o-1', 'd-3']]);
      expect(await h.store.decisions.outcomesWithIds([])).toEqual([]);
      expect((await h.store.decisions.outcomesSince(0, {})).map((o) => o.id)).toEqual(['o-2', 'o-3']);
      // A start reads the successes of the last minutes only (older ones are asked of the log), the dismissals of the window.
      expect((await h.store.decisions.outcomesSince(0, { successesSince: 1_001 })).map((o) => o.id)).toEqual(['o-3']);
      expect((await h.store.decisions.outcomesSince(0, { before: 1_000 })).map((o) => o.id)).toEqual([]);
      expect((await h.store.decisions.outcomesSince(1_000, { before: 1_001 })).map((o) => o.id)).toEqual(['o-2', 'o-3']);
      expect((await h.store.decisions.outcomesSince(0)).map((o) => o.id)).toEqual(['o-1', 'o-2', 'o-3', 'o-1']);
    });

    it('deletes decisions and outcomes past the retention (default 400 days), and nothing younger', async () => {
      const now = Date.now();
      await h.store.decisions.appendDecision(oldRecord('old-1', now - 401 * DAY));
      await h.store.decisions.appendDecision(oldRecord('young-1', now - 399 * DAY));
      await h.store.decisions.addOutcomes([{ id: 'o-old', at: now - 401 * DAY, profileKey: 'anon:old', type: 'click', value: null, decisionId: 'old-1', action: 'newsletter', credit: 1, reward: 0, success: false, source: 'api' }]);
      expect(await h.tact.decide.enforceRetention(now)).toEqual({ decisions: 1, outcomes: 1 });
      expect(await h.store.decisions.getDecision('old-1')).toBeUndefined();
      expect(await h.store.decisions.getDecision('young-1')).toBeDefined();
      expect(await h.store.decisions.outcomesOf('old-1')).toEqual([]);
      expect((await h.store.decisions.queryDecisions({ action: 'newsletter', limit: 10 })).map((d) => d.id)).toEqual(['young-1']);
    });

    it('stores flags and review holds and finds them again', async () => {
      const f = { id: 'f1', target: { kind: 'account' as const, id: 'acme' }, name: 'procurement_delay', note: 'until the new budget', until: Date.now() + DAY, author: 'kim', createdAt: 1, clearedAt: null, clearedBy: null };
      await h.store.decisions.putFlag(f);
      expect(await h.store.decisions.flagsOf({ kind: 'account', id: 'acme' })).toEqual([f]);
      await h.store.decisions.putFlag({ ...f, clearedAt: 5, clearedBy: 'lee' });
      expect(await h.store.decisions.openFlags()).toEqual([]);
      expect(await h.store.decisions.getFlag('f1')).toMatchObject({ clearedBy: 'lee' });
      const hold = { id: 'r1', decisionId: 'd1', profileKey: 'p1', subject: 'ana', placement: 'home', action: 'loan-offer', variant: null, queue: 'review', status: 'pending' as const, createdAt: 1, decidedAt: null, reviewer: null, note: null, deliveredIn: null };
      await h.store.decisions.putHold(hold);
      await h.store.decisions.putHold({ ...hold, id: 'r2', status: 'rejected', decidedAt: 100 });
      expect((await h.store.decisions.listHolds({ status: 'pending', limit: 10 })).map((x) => x.id)).toEqual(['r1']);
      expect((await h.store.decisions.listHolds({ queue: 'review', limit: 10 })).map((x) => x.id).sort()).toEqual(['r1', 'r2']);
      // An empty filter (`?queue=` in a URL) filters nothing, in every store.
      expect((await h.store.decisions.listHolds({ status: undefined, queue: '', limit: 10 })).map((x) => x.id).sort()).toEqual(['r1', 'r2']);
      const all = { pending: -1, approved: -1 };
      expect((await h.store.decisions.liveHolds({ ...all, rejected: 50 })).map((x) => x.id).sort()).toEqual(['r1', 'r2']);
      expect((await h.store.decisions.liveHolds({ ...all, rejected: 150 })).map((x) => x.id)).toEqual(['r1']);
      // Pending and approved reviews past their windows are not read back: the log keeps them for ever.
      await h.store.decisions.putHold({ ...hold, id: 'r3', status: 'approved', createdAt: 2, decidedAt: 40 });
      await h.store.decisions.putHold({ ...hold, id: 'r4', status: 'approved', createdAt: 3, decidedAt: 60 });
      await h.store.decisions.putHold({ ...hold, id: 'r5', status: 'pending', createdAt: 70 });
      expect((await h.store.decisions.liveHolds({ pending: 1, approved: 50, rejected: 150 })).map((x) => x.id).sort()).toEqual(['r4', 'r5']);
      expect((await h.store.decisions.liveHolds({ pending: 0, approved: 39, rejected: 100 })).map((x) => x.id).sort()).toEqual(['r1', 'r2', 'r3', 'r4', 'r5']);
    });

    it('pages through reviews newest first, reviews opened in the same millisecond included', async () => {
      const hold = { decisionId: 'd1', profileKey: 'p1', subject: 'ana', placement: 'home', action: 'loan-offer', variant: null, queue: 'review', status: 'pending' as const, decidedAt: null, reviewer: null, note: null, deliveredIn: null };
      for (const [id, createdAt] of [['q1', 1], ['q2', 2], ['q3', 2], ['q4', 2], ['q5', 3]] as const) await h.store.decisions.putHold({ ...hold, id, createdAt });
      const seen: string[] = [];
      let before: string | undefined;
      for (let page = 0; page < 5; page++) {
        const rows = await h.store.decisions.listHolds({ status: 'pending', limit: 2, before });
        seen.push(...rows.map((r) => r.id));
        if (rows.length < 2) break;
        before = rows[1].id;
      }
      expect(seen).toEqual(['q5', 'q4', 'q3', 'q2', 'q1']);
    });

    it('writes one verdict on a pending review: a second one sent at once is refused', async () => {
      const hold = { id: 'r9', decisionId: 'd9', profileKey: 'p9', subject: 'ana', placement: 'home', action: 'loan-offer', variant: null, queue: 'review', status: 'pending' as const, createdAt: 1, decidedAt: null, reviewer: null, note: null, deliveredIn: null };
      await h.store.decisions.putHold(hold);
      const verdicts = await Promise.all([
        h.store.decisions.decideHold({ ...hold, status: 'approved', reviewer: 'kim', note: 'ok', decidedAt: 10 }),
        h.store.decisions.decideHold({ ...hold, status: 'rejected', reviewer: 'lee', note: null, decidedAt: 10 }),
      ]);
      expect(verdicts.filter(Boolean)).toHaveLength(1);
      const stored = await h.store.decisions.getHold('r9');
      expect(stored).toMatchObject(verdicts[0] ? { status: 'approved', reviewer: 'kim', note: 'ok', decidedAt: 10 } : { status: 'rejected', reviewer: 'lee', note: null, decidedAt: 10 });
      await h.store.decisions.putHold({ ...(stored as typeof hold), status: 'delivered' as never, deliveredIn: 'd10' });
      expect(await h.store.decisions.decideHold({ ...hold, status: 'rejected', reviewer: 'max', decidedAt: 20 })).toBe(false);
      expect(await h.store.decisions.getHold('r9')).toMatchObject({ status: 'delivered', deliveredIn: 'd10' });
    });

    it('reads a review a later one of the same subject and action followed as superseded, keeps a mark once written, and takes no verdict on either', async () => {
      const base = { decisionId: 'd1', subject: 'ana', placement: 'home', action: 'loan-offer', variant: null, queue: 'review', decidedAt: null, reviewer: null, note: null, deliveredIn: null };
      const s1 = { ...base, id: 's1', profileKey: 'p-s', status: 'pending' as const, createdAt: 1 };
      await h.store.decisions.putHold(s1);
      await h.store.decisions.putHold({ ...s1, id: 's2', createdAt: 2 });
      await h.store.decisions.putHold({ ...s1, id: 's3', action: 'newsletter', createdAt: 3 });
      expect(await h.store.decisions.getHold('s1')).toMatchObject({ supersededBy: 's2' });
      expect((await h.store.decisions.getHold('s2'))?.supersededBy ?? null).toBeNull();
      expect((await h.store.decisions.liveHolds({ pending: 0, approved: 0, rejected: 0 })).filter((x) => x.profileKey === 'p-s').map((x) => [x.id, x.supersededBy ?? null]).sort()).toEqual([['s1', 's2'], ['s2', null], ['s3', null]]);
      expect((await h.store.decisions.listHolds({ status: 'pending', limit: 10 })).find((x) => x.id === 's1')?.supersededBy).toBe('s2');
      expect(await h.store.decisions.decideHold({ ...s1, status: 'approved', reviewer: 'kim', decidedAt: 10 })).toBe(false);
      // Another profile's review, merged into the person: marked by the decision that delivered the newer one.
      const m1 = { ...base, id: 'm1', profileKey: 'p-m', status: 'approved' as const, createdAt: 1, decidedAt: 5, reviewer: 'kim' };
      await h.store.decisions.putHold(m1);
      // The mark alone: the status the decision read (here stale) does not overwrite the stored one.
      await h.store.decisions.putHold({ ...m1, status: 'pending', decidedAt: null, reviewer: null, supersededBy: 'n1' });
      await h.store.decisions.putHold({ ...m1, supersededBy: 'n2' });
      expect(await h.store.decisions.getHold('m1')).toMatchObject({ status: 'approved', decidedAt: 5, reviewer: 'kim', supersededBy: 'n1' });
      // A write without the mark keeps it.
      await h.store.decisions.putHold({ ...m1, decidedAt: 6 });
      expect(await h.store.decisions.getHold('m1')).toMatchObject({ decidedAt: 6, supersededBy: 'n1' });
      const p1 = { ...base, id: 'm2', profileKey: 'p-m2', status: 'pending' as const, createdAt: 1 };
      await h.store.decisions.putHold(p1);
      await h.store.decisions.putHold({ ...p1, supersededBy: 'n3' });
      expect(await h.store.decisions.decideHold({ ...p1, status: 'approved', reviewer: 'kim', decidedAt: 10 })).toBe(false);
      expect(await h.store.decisions.getHold('m2')).toMatchObject({ status: 'pending', supersededBy: 'n3' });
    });
  });

  if (kind === 'postgres') {
    decideLateOutcomesConformance();
    describe('decisions with several processes on one PostgreSQL', () => {
      it('each process folds in the others\' decisions and flags at its next sync', async () => {
        const opened = await openTestStore('postgres');
        const other = await openPostgresStore({ connectionString: opened.url as string, poolSize: 4 });
        const a = await harness('postgres', { store: opened.store, config: config() });
        const b = await harness('postgres', { store: other, config: config() });
        await send(a.app, '/v1/identify', { userId: 'ana', context: advertising });
        for (let i = 0; i < 2; i++) expect(picked((await decideReq(a.app, { subject: 'ana', placement: 'weekly-email' })).json())).toEqual(['shoes-offer']);
        await a.tact.decide.flags.add({ subject: 'ana', name: 'vip', note: 'call first', author: 'kim' });
        await b.tact.decide.sync();
        const capped = (await decideReq(b.app, { subject: 'ana', placement: 'weekly-email', explain: 'full' })).json();
        expect(picked(capped)).toEqual(['none']);
        expect(capped.explanation.candidates.find((c: { action: string }) => c.action === 'shoes-offer').rule).toBe('email cap');
        expect(b.tact.decide.state.flags.active(capped.subject.profileId, [], Date.now()).map((f) => f.name)).toEqual(['vip']);
        // a second sync does not count the same decisions twice
        await b.tact.decide.sync();
        expect(b.tact.decide.state.counts.population('shoes-offer').trials).toBe(2);
        // A success of a decision neither process remembers (logged an hour ago, segment "vip"): B credits the group as the log records it, once.
        const key = capped.subject.profileId as string;
        const r = oldRecord('d-vip', Date.now() - 3_600_000);
        await opened.store.decisions.appendDecision({ ...r, profileKey: key, subject: 'ana', segment: 'vip', choices: [{ ...r.choices[0], action: 'shoes-offer' }] });
        expect((await post(a.app, '/v1/outcomes', { decisionId: 'd-vip', type: 'conversion', messageId: 'o-vip' })).statusCode).toBe(200);
        expect(a.tact.decide.state.counts.group('shoes-offer', 'segment:vip').successes).toBe(1);
        await b.tact.decide.sync();
        await b.tact.decide.sync();
        expect(b.tact.decide.state.counts.group('shoes-offer', 'segment:vip').successes).toBe(1);
        // The same when B first meets such a success in the rows its guarded append finds (a decision for ana before any sync): credited once.
        const r2 = oldRecord('d-vip-2', Date.now() - 3_600_000);
        await opened.store.decisions.appendDecision({ ...r2, profileKey: key, subject: 'ana', segment: 'vip', choices: [{ ...r2.choices[0], action: 'shoes-offer' }] });
        expect((await post(a.app, '/v1/outcomes', { decisionId: 'd-vip-2', type: 'conversion', messageId: 'o-vip-2' })).statusCode).toBe(200);
        expect(b.tact.decide.state.counts.group('shoes-offer', 'segment:vip').successes).toBe(1);
        expect(picked((await decideReq(b.app, { subject: 'ana', placement: 'weekly-email' })).json())).toEqual(['none']);
        expect(b.tact.decide.state.counts.group('shoes-offer', 'segment:vip').successes).toBe(2);
        await b.tact.decide.sync();
        expect(b.tact.decide.state.counts.group('shoes-offer', 'segment:vip').successes).toBe(2);
        await a.close();
        await b.close();
        await other.close();
        await opened.cleanup();
      });

      it('a flag another process added or cleared, on the subject or one of its accounts, binds the next decision without a sync', async () => {
        // Until 2026-12-06 process B went by the flags of its last sync (every second): a "complaint
        // open" recorded through A did not stop B's next offer. B's guarded append now finds it.
        const territory = () => shopConfig({ ...config().policy, humanTerritory: [{ name: 'complaints', queue: 'care', flags: ['complaint_open'] }] });
        const opened = await openTestStore('postgres');
        const other = await openPostgresStore({ connectionString: opened.url as string, poolSize: 4 });
        const a = await harness('postgres', { store: opened.store, config: territory() });
        const b = await harness('postgres', { store: other, config: territory() });
        try {
          await send(a.app, '/v1/identify', { userId: 'ana', context: advertising });
          await send(a.app, '/v1/group', { userId: 'ana', groupId: 'acme' });
          await a.tact.consumers.runAll();
          const kinds = async () => (await decideReq(b.app, { subject: 'ana', placement: 'home' })).json().choices.map((c: { kind: string; queue?: string }) => c.queue ?? c.kind);
          expect(await kinds()).not.toContain('care');
          const flagged = await post(a.app, '/v1/flags', { subject: 'ana', name: 'complaint_open', note: 'ticket 4411' }, KEYS.admin);
          expect(flagged.statusCode, flagged.body).toBe(201);
          expect(await kinds()).toEqual(['care']);
          expect((await a.app.inject({ method: 'DELETE', url: `/v1/flags/${flagged.json().id}`, headers: { authorization: `Bearer ${KEYS.admin}` } })).statusCode).toBe(200);
          expect(await kinds()).not.toContain('care');
          // On her account: the same.
          expect((await post(a.app, '/v1/flags', { account: 'acme', name: 'complaint_open', note: 'the account\'s ticket' }, KEYS.admin)).statusCode).toBe(201);
          expect(await kinds()).toEqual(['care']);
          // B's own flags stay as they were: its sync finds nothing new to redo.
          await b.tact.decide.sync();
          expect(await kinds()).toEqual(['care']);
        } finally {
          await a.close();
          await b.close();
          await other.close();
          await opened.cleanup();
        }
      });
    });
  }

  describe(`decisions after a restart (${kind})`, () => {
    it('rebuilds contact caps, estimates, flags and reviews from the store', async () => {
      const path = join(testDir('tact-decide-'), 'tact.db');
      const opened = kind === 'sqlite' ? { store: (await openSqliteStore({ path })) as Store, url: undefined, cleanup: async () => {} } : await openTestStore('postgres');
      const h1 = await harness(kind, { store: opened.store, config: config() });
      await send(h1.app, '/v1/identify', { userId: 'ana', context: advertising });
      await send(h1.app, '/v1/identify', { userId: 'fin', traits: { segment: 'finance' }, context: advertising });
      for (let i = 0; i < 2; i++) expect(picked((await decideReq(h1.app, { subject: 'ana', placement: 'weekly-email' })).json())).toEqual(['shoes-offer']);
      const held = (await decideReq(h1.app, { subject: 'fin', placement: 'home' })).json().choices[0].held;
      await h1.tact.decide.flags.add({ subject: 'ana', name: 'vip', note: 'call first', author: 'kim' });
      await h1.close();
      // A clean shutdown folded the three decisions into the counts' snapshot: the start below reads the estimates' evidence from it.
      expect(await opened.store.decisions.countMarks()).toEqual({ decisions: 3, outcomes: 0 });
      if (kind === 'sqlite') await opened.store.close();
      const store2 = kind === 'sqlite' ? await openSqliteStore({ path }) : await openPostgresStore({ connectionString: opened.url as string, poolSize: 4 });
      const h2 = await harness(kind, { store: store2, config: config() });
      const capped = (await decideReq(h2.app, { subject: 'ana', placement: 'weekly-email', explain: 'full' })).json();
      expect(picked(capped)).toEqual(['none']);
      expect(capped.explanation.candidates.find((c: { action: string }) => c.action === 'shoes-offer')).toMatchObject({ stage: 'contact policy', rule: 'email cap' });
      const again = (await decideReq(h2.app, { subject: 'fin', placement: 'home', explain: 'full' })).json();
      expect(again.choices[0].held.reviewId).toBe(held.reviewId);
      expect(again.explanation.candidates.find((c: { action: string }) => c.action === 'shoes-offer').estimate.evidence).toBe(2);
      expect(h2.tact.decide.state.flags.active(capped.subject.profileId, [], Date.now()).map((f) => f.name)).toEqual(['vip']);
      expect((await get(h2.app, `/v1/decisions?subject=ana`)).json().decisions).toHaveLength(3);
      await h2.close();
      await store2.close();
      await opened.cleanup();
    });

    it('reads again from the log the contacts a new cap counts, after the ledger let them go', async () => {
      const path = join(testDir('tact-decide-'), 'tact.db');
      const opened = kind === 'sqlite' ? { store: (await openSqliteStore({ path })) as Store, url: undefined, cleanup: async () => {} } : await openTestStore('postgres');
      const h1 = await harness(kind, { store: opened.store, config: config() });
      await send(h1.app, '/v1/identify', { userId: 'ana', context: advertising });
      const key = (await get(h1.app, '/v1/profiles/ana')).json().id as string;
      // Two web offers a day ago (no cap counts web contacts yet).
      for (const id of ['d-web-1', 'd-web-2']) {
        const r = oldRecord(id, Date.now() - DAY);
        await opened.store.decisions.appendDecision({ ...r, profileKey: key, subject: 'ana', choices: [{ ...r.choices[0], action: 'shoes-offer' }] });
      }
      await h1.close();
      if (kind === 'sqlite') await opened.store.close();
      const store2 = kind === 'sqlite' ? await openSqliteStore({ path }) : await openPostgresStore({ connectionString: opened.url as string, poolSize: 4 });
      const h2 = await harness(kind, { store: store2, config: config() });
      expect(h2.tact.decide.state.ledger.view(key).list()).toEqual([]); // older than the start's last minutes: read at the subject's first decision
      const before = (await decideReq(h2.app, { subject: 'ana', placement: 'home' })).json();
      expect(h2.tact.decide.state.lazyReads).toEqual({ subjects: 1, contacts: 2, pages: 1 });
      // Read, and let go at once: no cap counts web contacts.
      expect(h2.tact.decide.state.ledger.view(key).list().map((c) => c.decisionId)).toEqual(before.choices.filter((c: { kind: string }) => c.kind === 'action').map(() => before.decisionId));
      const policy = { ...shopPolicy(), contact: { ...shopPolicy().contact, caps: [...shopPolicy().contact!.caps!, { name: 'web cap', channel: 'web', max: 2, window: '7d' }] } };
      const put = await h2.app.inject({ method: 'PUT', url: '/v1/config/policy', headers: { authorization: `Bearer ${KEYS.admin}` }, payload: { document: policy, reason: 'two web offers a week' } });
      expect(put.statusCode, put.body).toBe(200);
      // Read again at the subject's next decision: the new cap counts the two, and this decision's.
      const capped = (await decideReq(h2.app, { subject: 'ana', placement: 'home', explain: 'full' })).json();
      expect(capped.explanation.candidates.find((c: { action: string }) => c.action === 'shoes-offer')).toMatchObject({ stage: 'contact policy', rule: 'web cap' });
      expect(h2.tact.decide.state.ledger.view(key).list().map((c) => c.decisionId).slice(0, 2)).toEqual(['d-web-1', 'd-web-2']);
      expect(h2.tact.decide.state.lazyReads.subjects).toBe(2);
      await h2.close();
      await store2.close();
      await opened.cleanup();
    });
  });
}
