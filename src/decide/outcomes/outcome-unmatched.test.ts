import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KEYS, get, openTestStore, send, type Harness } from '../../../test/harness.js';
import { buildApp } from '../../server/app.js';
import { Tact } from '../../server/tact.js';
import { isRetryableStoreError } from '../../store/open.js';
import { shopConfig, shopPolicy } from '../fixtures.js';
import { advertising, decideReq, picked, post } from '../test-http.js';
import { UnmatchedOutcomes } from './unmatched.js';

type Line = { level: number; msg: string; unmatched?: number; reasons?: Record<string, number> };

/** The harness with its log lines kept (warn and above). */
async function loggedHarness(lines: Line[], sections: Record<string, unknown> = shopConfig()): Promise<Harness> {
  const { store, cleanup } = await openTestStore('sqlite');
  const stream = new Writable({ write: (chunk, _enc, done) => (lines.push(JSON.parse(String(chunk))), done()) });
  const tact = await Tact.create({
    store, logger: pino({ level: 'warn' }, stream), background: false, isRetryable: isRetryableStoreError,
    configFile: { path: 'test-config', sections },
  });
  await tact.keys.bootstrap({ TACT_WRITE_KEY: KEYS.write, TACT_SERVER_KEY: KEYS.server, TACT_ADMIN_KEY: KEYS.admin });
  const app = await buildApp(tact);
  return { store, tact, app, close: async () => (await app.close(), await tact.close(), await cleanup()) };
}

/** The series of tact_outcomes_unmatched_total, as `source reason` → count. */
async function unmatchedSeries(h: Harness): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const m of (await get(h.app, '/metrics')).body.matchAll(/^tact_outcomes_unmatched_total\{source="(\w+)",reason="(\w+)"\} (\d+)$/gm)) out[`${m[1]} ${m[2]}`] = Number(m[3]);
  return out;
}

const order = (messageId: string, properties: Record<string, unknown>) => ({ userId: 'ana', event: 'Order Completed', messageId, properties: { revenue: 30, ...properties } });

describe('outcomes that name a decision or an action that does not match', () => {
  let h: Harness;
  let lines: Line[];
  let shown: string;
  beforeEach(async () => {
    lines = [];
    h = await loggedHarness(lines);
    await send(h.app, '/v1/identify', { userId: 'ana', context: advertising });
    shown = picked((await decideReq(h.app, { subject: 'ana', placement: 'home' })).json())[0];
    // The loan needs a finance segment ana is not in: it is never shown to her.
    expect(shown).not.toBe('loan-offer');
  });
  afterEach(async () => h.close());

  it('records a mapped track event whose action or decision does not match credited to no decision, says why on /metrics, and warns once a minute', async () => {
    const d = (await decideReq(h.app, { subject: 'ana', placement: 'home' })).json();
    const batch = [
      order('o-never-shown', { action_id: 'loan-offer' }),
      order('o-unknown-action', { action_id: 'no-such-offer' }),
      order('o-not-chosen', { decision_id: d.decisionId, action_id: 'loan-offer' }),
      // Matching ones: credited, and not counted.
      order('o-fits', { decision_id: d.decisionId, action_id: picked(d)[0] }),
    ].map((m) => ({ type: 'track', ...m }));
    // The collection API answers Segment's way whatever the outcome.
    expect((await send(h.app, '/v1/batch', { batch })).json()).toEqual({ success: true });
    await h.tact.consumers.runAll();
    const stored = await h.store.decisions.outcomesWithIds(['o-never-shown', 'o-unknown-action', 'o-not-chosen', 'o-fits']);
    expect(stored.map((o) => [o.id, o.decisionId, o.action, o.credit]).sort()).toEqual([
      ['o-fits', d.decisionId, picked(d)[0], 1],
      ['o-never-shown', null, 'loan-offer', 0],
      ['o-not-chosen', null, 'loan-offer', 0],
      ['o-unknown-action', null, 'no-such-offer', 0],
    ]);
    expect(await unmatchedSeries(h)).toEqual({ 'event action_not_shown': 1, 'event action_unknown': 1, 'event action_not_chosen': 1 });
    // One warning line for the batch, counting each reason.
    const warned = lines.filter((l) => l.level === 40 && l.unmatched !== undefined);
    expect(warned).toHaveLength(1);
    expect(warned[0].reasons).toEqual({ action_not_shown: 1, action_unknown: 1, action_not_chosen: 1 });
    expect(warned[0].msg).toMatch(/credited to no decision/);
    // A decision id the log lacks, with the subject's own decisions not of the action either: counted; no second line within the minute.
    await send(h.app, '/v1/track', order('o-unknown-decision', { decision_id: 'd-nope', action_id: 'loan-offer' }));
    await h.tact.consumers.runAll();
    expect((await unmatchedSeries(h))['event decision_unknown']).toBe(1);
    expect(lines.filter((l) => l.unmatched !== undefined)).toHaveLength(1);
  });

  it('refuses through the API what names a decision it does not fit, naming the field, and counts a subject\'s action never shown', async () => {
    const d = (await decideReq(h.app, { subject: 'ana', placement: 'home' })).json();
    const wrong = await post(h.app, '/v1/outcomes', { decisionId: d.decisionId, action: 'loan-offer', type: 'conversion', messageId: 'api-wrong' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().problems.map((p: { field: string }) => p.field)).toEqual(['action']);
    const unknown = await post(h.app, '/v1/outcomes', { decisionId: 'd-nope', type: 'conversion', messageId: 'api-unknown' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().problems.map((p: { field: string }) => p.field)).toEqual(['decisionId']);
    // By subject, an action never shown is recorded (an outcome may come after the window) — and counted.
    const r = await post(h.app, '/v1/outcomes', { subject: 'ana', action: 'loan-offer', type: 'conversion', messageId: 'api-never-shown' });
    expect(r.json().recorded).toMatchObject([{ decisionId: null, action: 'loan-offer', credit: 0 }]);
    expect(await unmatchedSeries(h)).toEqual({ 'api action_not_shown': 1 });
  });
});

/**
 * The API records an outcome that fitted what it named but was credited to no decision — the decision
 * named, after its attribution window; a catalog action the subject was never shown within its window
 * — as sent, and until 2026-12-06 its answer said nothing of it: the caller learned it only from
 * estimates that did not move. Now the answer warns, naming the field and the window.
 */
describe('an outcome the API recorded credited to no decision', () => {
  let h: Harness;
  beforeEach(async () => {
    // A one-hour window, so an outcome dated within the next day (the API's limit) can come after it.
    h = await loggedHarness([], shopConfig({ outcomes: { ...shopPolicy().outcomes, attribution: { window: '1h', model: 'last' } } }));
    await send(h.app, '/v1/identify', { userId: 'ana', context: advertising });
  });
  afterEach(async () => h.close());

  it('warns, naming the timestamp, of one after its decision\'s window, and says when the window ended', async () => {
    const d = (await decideReq(h.app, { subject: 'ana', placement: 'home' })).json();
    const at = new Date(Date.parse(d.at) + 2 * 3_600_000).toISOString();
    const late = (await post(h.app, '/v1/outcomes', { decisionId: d.decisionId, type: 'conversion', timestamp: at, messageId: 'late' })).json();
    expect(late.recorded).toMatchObject([{ decisionId: null, credit: 0 }]);
    expect(late.warnings).toEqual([{ field: 'timestamp', reason: 'decision_past_window', message: expect.stringContaining(`came after the attribution window of the decision \`${d.decisionId}\``) }]);
    expect(late.warnings[0].message).toContain(`its window of 1 h ended ${new Date(Date.parse(d.at) + 3_600_000).toISOString()}`);
    // Within the window: credited, and nothing to say.
    const inTime = (await post(h.app, '/v1/outcomes', { decisionId: d.decisionId, type: 'click', messageId: 'in-time' })).json();
    expect(inTime.recorded).toMatchObject([{ decisionId: d.decisionId }]);
    expect(inTime).not.toHaveProperty('warnings');
    // A retry of the late one is answered what was stored, without the warning again.
    expect((await post(h.app, '/v1/outcomes', { decisionId: d.decisionId, type: 'conversion', timestamp: at, messageId: 'late' })).json()).toMatchObject({ duplicate: true });
  });

  it('warns, naming the action, of a catalog action no decision of the subject\'s chose within its window', async () => {
    const d = (await decideReq(h.app, { subject: 'ana', placement: 'home' })).json();
    const never = (await post(h.app, '/v1/outcomes', { subject: 'ana', action: 'loan-offer', type: 'conversion', messageId: 'never' })).json();
    expect(never.recorded).toMatchObject([{ decisionId: null, action: 'loan-offer', credit: 0 }]);
    expect(never.warnings).toEqual([{ field: 'action', reason: 'action_not_shown', message: expect.stringMatching(/^No decision of the subject's in the 1 h before the outcome \(.+\) chose `loan-offer`/) }]);
    // The action shown: credited, nothing said.
    const shownOne = (await post(h.app, '/v1/outcomes', { subject: 'ana', action: picked(d)[0], type: 'click', messageId: 'shown' })).json();
    expect(shownOne.recorded).toMatchObject([{ decisionId: d.decisionId }]);
    expect(shownOne).not.toHaveProperty('warnings');
  });
});

describe('UnmatchedOutcomes', () => {
  it('warns at once, then at most once a minute with the count of each reason since the last line', () => {
    const warned: { data: Record<string, unknown>; msg: string }[] = [];
    let now = 0;
    const u = new UnmatchedOutcomes((data, msg) => warned.push({ data, msg }), () => now);
    const miss = (id: string) => ({ id, source: 'event' as const, type: 'conversion', reason: 'action_not_shown' as const, action: 'loan-offer' });
    u.note([miss('a')]);
    now = 59_999;
    u.note([miss('b'), miss('c')]);
    expect(warned.map((w) => w.data.unmatched)).toEqual([1]);
    now = 60_000;
    u.note([{ id: 'd', source: 'api', type: 'dismissal', reason: 'decision_past_window', decisionId: 'd-1' }]);
    expect(warned.map((w) => w.data.reasons)).toEqual([{ action_not_shown: 1 }, { action_not_shown: 2, decision_past_window: 1 }]);
    expect(warned[1].msg).toMatch(/^3 outcomes .* the report `d` \(it came after the attribution window of the decision `d-1`\)/);
    expect(u.tally()).toEqual([{ source: 'event', reason: 'action_not_shown', count: 3 }, { source: 'api', reason: 'decision_past_window', count: 1 }]);
  });
});
