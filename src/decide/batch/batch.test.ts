import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KEYS, get, harness, send, type Harness } from '../../../test/harness.js';
import { shopConfig } from '../fixtures.js';
import { advertising, post } from '../test-http.js';
import { runBatch } from './batch-client.js';
import { backoffMs, deliver } from './webhook.js';
import { csvField, csvRows } from './writers.js';
import { testDir } from '../../../test/tmp.js';

/** A webhook that fails `failFirst` requests with 503, then records the bodies it accepts. */
async function webhook(failFirst: number): Promise<{ url: string; bodies: { decisions: unknown[] }[]; keys: unknown[]; hits: () => number; close: () => Promise<void> }> {
  const bodies: { decisions: unknown[] }[] = [];
  const keys: unknown[] = [];
  let hits = 0;
  const server: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (d) => (text += String(d)));
    req.on('end', () => {
      hits++;
      keys.push(req.headers['idempotency-key']);
      if (hits <= failFirst) return void res.writeHead(503).end('busy');
      bodies.push(JSON.parse(text));
      res.writeHead(200).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}/hook`, bodies, keys, hits: () => hits, close: () => new Promise((r) => server.close(() => r())) };
}

describe('batch decisions (tact decide-batch)', () => {
  let h: Harness;
  let url: string;
  // no quiet hours: the e-mail placement must be open whatever the time of day
  beforeEach(async () => {
    h = await harness('sqlite', { config: shopConfig({ contact: { caps: [{ name: 'email cap', channel: 'email', max: 1, window: '7d' }] } }) });
    for (let i = 0; i < 12; i++) {
      await send(h.app, '/v1/identify', { userId: `u${i}`, traits: { tier: i % 3 === 0 ? 'gold' : 'basic' }, context: i === 0 ? {} : advertising });
    }
    url = await h.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterEach(async () => h.close());

  it('runs the pipeline over a CEL audience, writes CSV, and delivers to a webhook with retries', async () => {
    const dir = testDir('tact-batch-');
    const hook = await webhook(2);
    const progress: number[] = [];
    const s = await runBatch({
      url, key: KEYS.server, placement: 'weekly-email', audience: 'has(traits.tier) && traits.tier == "gold"', out: join(dir, 'send.csv'), format: 'csv',
      webhook: hook.url, webhookBatch: 2, retry: { attempts: 4, baseMs: 1, maxMs: 5 }, onProgress: (p) => progress.push(p.scanned),
    });
    await hook.close();
    // gold: u0, u3, u6, u9; u0 gave no consent for Advertising, so it gets the newsletter (no purpose needed)
    expect(s).toMatchObject({ total: 12, scanned: 12, matched: 4, decided: 4, actions: 4, written: 4, delivered: 4, failed: 0, stoppedBy: 'end' });
    expect(progress.at(-1)).toBe(12);
    const csv = readFileSync(join(dir, 'send.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('subject,profileId,decisionId,placement,rank,kind,action,variant,queue,score,propensity,exposurePropensity,explanation,sendAt,sendSlot,sendTimeValue,sendTimeLow,sendTimeHigh,sendTimeSource,sendTimeStatus,arm,heldAction,heldReviewId,contactPolicyExcluded,userId,email');
    expect(csv[1]).not.toMatch(/,\d{4}-\d\d-\d\dT\d\d:/); // send time is not configured here: no sendAt
    expect(csv.slice(1).map((l) => l.split(',')[6]).sort()).toEqual(['newsletter', 'shoes-offer', 'shoes-offer', 'shoes-offer']);
    expect(csv.slice(1).map((l) => l.split(',')[11])).toEqual(['', '', '', '']); // exposurePropensity: nothing could be held, one route
    expect(hook.hits()).toBe(4); // two 503s, then two batches of two
    expect(hook.bodies.map((b) => b.decisions.length)).toEqual([2, 2]);
    // every attempt of a batch carries the same Idempotency-Key (a receiver can tell a retry), each batch its own
    const [k1, k2, k3, k4] = hook.keys;
    expect([k2, k3]).toEqual([k1, k1]);
    expect(k4).toMatch(/^tact-batch-[0-9a-f]{32}$/);
    expect(k4).not.toBe(k1);

    // the same audience again: the e-mail cap (1 per 7 days) now stops everyone, and caps hold across batches
    const again = await runBatch({ url, key: KEYS.server, placement: 'weekly-email', audience: 'has(traits.tier) && traits.tier == "gold"', out: join(dir, 'again.jsonl'), format: 'jsonl', includeNone: true });
    expect(again).toMatchObject({ decided: 4, actions: 0, written: 4 });
    const lines = readFileSync(join(dir, 'again.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.every((l) => l.decision.choices[0].kind === 'none')).toBe(true);
    // The CSV says so too: each of them had its candidates held back by the contact policy (the cap).
    await runBatch({ url, key: KEYS.server, placement: 'weekly-email', audience: 'has(traits.tier) && traits.tier == "gold"', out: join(dir, 'again.csv'), format: 'csv', includeNone: true });
    const [head, ...capped] = parse(readFileSync(join(dir, 'again.csv'), 'utf8')) as string[][];
    expect(capped.map((r) => [r[head.indexOf('kind')], r[head.indexOf('arm')], Number(r[head.indexOf('contactPolicyExcluded')]) > 0])).toEqual(Array(4).fill(['none', 'treatment', true]));
    expect(lines.every((l) => l.decision.explanation.excludedByStage['contact policy'] > 0)).toBe(true);
  });

  it('holds a contact cap across two runs at once for the same audience: each subject is contacted once', async () => {
    // email cap: 1 in 7 days. Decisions for a subject are made one at a time, whichever run asks.
    const audience = 'has(traits.tier) && traits.tier == "gold"';
    const runs = await Promise.all([1, 2].map(() => runBatch({ url, key: KEYS.server, placement: 'weekly-email', audience, format: 'jsonl', webhook: undefined, includeNone: true, out: join(testDir('tact-batch-'), 'both.jsonl') })));
    expect(runs.map((r) => r.decided)).toEqual([4, 4]);
    expect(runs[0].actions + runs[1].actions).toBe(4);
  });

  it('writes a held action\'s stand-in with the probability it was shown (exposurePropensity), in CSV and JSONL', async () => {
    // The loan wins for a finance subject but is high-stakes: a review opens and the newsletter
    // (the home placement's safe default) is shown; exposurePropensity is what off-policy
    // estimates weigh it by (a choice with one route leaves the column empty: the test above).
    await send(h.app, '/v1/identify', { userId: 'fin', traits: { segment: 'finance' }, context: advertising });
    const dir = testDir('tact-batch-');
    const audience = 'has(traits.segment) && traits.segment == "finance"';
    await runBatch({ url, key: KEYS.server, placement: 'home', audience, out: join(dir, 'held.csv'), format: 'csv' });
    // (Parsed as CSV: the explanation holds commas.)
    const [header, ...rows] = parse(readFileSync(join(dir, 'held.csv'), 'utf8')) as string[][];
    const col = (name: string) => header.indexOf(name);
    expect(col('exposurePropensity')).toBe(col('propensity') + 1);
    // No exploration here: the loan is picked with 1, so the newsletter is shown with 1.
    expect(rows.map((r) => [r[col('action')], r[col('propensity')], r[col('exposurePropensity')]])).toEqual([['newsletter', '1', '1']]);
    // What was held for review, and the review it waits for, as JSONL's `held` says (below).
    expect(rows.map((r) => [r[col('arm')], r[col('heldAction')], r[col('heldReviewId')] !== ''])).toEqual([['treatment', 'loan-offer', true]]);

    await runBatch({ url, key: KEYS.server, placement: 'home', audience, out: join(dir, 'held.jsonl'), format: 'jsonl' });
    const [line] = readFileSync(join(dir, 'held.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(line.decision.choices).toMatchObject([{ action: 'newsletter', held: { action: 'loan-offer' }, propensity: 1, exposurePropensity: 1 }]);
    expect(line.decision.choices[0].held.reviewId).toBe(rows[0][col('heldReviewId')]);
    // The batch asks by Tact's profile id; its review names the person as reviewers know them
    // (review-subject.ts; until 2026-12-06 `profile:<id>`), in a form the profile route reads.
    const review = (await get(h.app, `/v1/reviews/${line.decision.choices[0].held.reviewId}`)).json();
    expect(review.subject).toBe('userId:fin');
    expect((await get(h.app, `/v1/profiles/${encodeURIComponent(review.subject)}`)).json().identities).toContainEqual(expect.objectContaining({ kind: 'userId', value: 'fin' }));
  });

  it('names the person to send to — userId and email — on each decision, in JSONL, CSV and the webhook\'s body', async () => {
    // An e-mail system addresses people, not Tact's profile ids (until 2026-12-06 the output named only `profile:<id>`).
    await send(h.app, '/v1/identify', { userId: 'ana', traits: { tier: 'vip', email: 'Ana@Example.com' }, context: advertising });
    await send(h.app, '/v1/identify', { anonymousId: 'anon-1', traits: { tier: 'vip' }, context: advertising });
    const dir = testDir('tact-batch-');
    const hook = await webhook(0);
    const audience = 'has(traits.tier) && traits.tier == "vip"';
    await runBatch({ url, key: KEYS.server, placement: 'weekly-email', audience, includeNone: true, out: join(dir, 'send.jsonl'), format: 'jsonl', webhook: hook.url });
    await hook.close();
    const lines = readFileSync(join(dir, 'send.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { userId?: string; email?: string });
    const who = (ls: { userId?: string; email?: string }[]) => ls.map((l) => `${l.userId ?? '-'} ${l.email ?? '-'}`).sort();
    expect(who(lines)).toEqual(['- -', 'ana ana@example.com']);
    expect(who(hook.bodies.flatMap((b) => b.decisions as { userId?: string; email?: string }[]))).toEqual(who(lines));
    await runBatch({ url, key: KEYS.server, placement: 'weekly-email', audience, includeNone: true, out: join(dir, 'send.csv'), format: 'csv' });
    const [header, ...rows] = parse(readFileSync(join(dir, 'send.csv'), 'utf8')) as string[][];
    expect(header.slice(-2)).toEqual(['userId', 'email']);
    expect(rows.map((r) => r.slice(-2)).sort()).toEqual([['', ''], ['ana', 'ana@example.com']]);
  });

  it('stops at the campaign\'s own maximum of actions, and writes undeliverable batches to the failed file', async () => {
    const dir = testDir('tact-batch-');
    const hook = await webhook(1000);
    const s = await runBatch({ url, key: KEYS.server, placement: 'weekly-email', audience: 'true', maxActions: 5, webhook: hook.url, retry: { attempts: 2, baseMs: 1, maxMs: 2 }, failedPath: join(dir, 'failed.jsonl'), format: 'jsonl' });
    await hook.close();
    // No --out: received, and written to no file (until 2026-12-05 counted as written).
    expect(s).toMatchObject({ actions: 5, received: 5, written: 0, delivered: 0, failed: 5, stoppedBy: 'maxActions' });
    const failed = readFileSync(join(dir, 'failed.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(failed[0]).toMatchObject({ deliveryError: 'HTTP 503', attempts: 2 });
  });

  it('says how many profiles the audience could not be evaluated on, and why (a typo reads as "no one matched")', async () => {
    // `traits.teir` is no key of any profile: every evaluation errs, which left the audience silently empty
    const dir = testDir('tact-batch-');
    const s = await runBatch({ url, key: KEYS.server, placement: 'weekly-email', audience: 'traits.teir == "gold"', out: join(dir, 'none.jsonl'), format: 'jsonl' });
    expect(s).toMatchObject({ scanned: 12, matched: 0, audienceErrors: 12 });
    expect(s.audienceError).toMatch(/teir/);
    const fine = await runBatch({ url, key: KEYS.server, placement: 'weekly-email', audience: 'has(traits.tier) && traits.tier == "gold"', out: join(dir, 'gold.jsonl'), format: 'jsonl' });
    expect(fine).toMatchObject({ matched: 4, audienceErrors: 0 });
    expect(fine.audienceError).toBeUndefined();
  });

  it('refuses a bad audience or placement before it starts, naming the field', async () => {
    const bad = await post(h.app, '/v1/decide/batch', { placement: 'weekly-email', audience: 'traits.tier ==' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: 'invalid_expression', message: expect.stringContaining('`audience`') });
    // As every 400 does (docs/errors.md), its `problems` name the field, with the same sentence.
    expect(bad.json().problems).toEqual([{ field: 'audience', message: bad.json().message }]);
    const sum = await post(h.app, '/v1/decide/batch', { placement: 'weekly-email', audience: '1 + 2' });
    expect(sum.json()).toMatchObject({ error: 'not_a_condition', problems: [{ field: 'audience', message: sum.json().message }] });
    // a misspelt feature compiles, then holds for no one (or, under `!has(…)`, for everyone): refused, as in a segment's rule
    const typo = await post(h.app, '/v1/decide/batch', { placement: 'weekly-email', audience: 'features.ordrs >= 1.0' });
    expect(typo.statusCode).toBe(400);
    expect(typo.json().problems[0]).toMatchObject({ field: 'audience', message: expect.stringContaining('did you mean `features.orders`?') });
    const before = (await h.store.decisions.queryDecisions({ limit: 1000 })).length;
    const everyone = await post(h.app, '/v1/decide/batch', { placement: 'weekly-email', audience: '!has(features.ordrs)' });
    expect(everyone.statusCode).toBe(400);
    expect((await h.store.decisions.queryDecisions({ limit: 1000 })).length).toBe(before);
    const nowhere = await post(h.app, '/v1/decide/batch', { placement: 'nowhere', audience: 'true' });
    expect(nowhere.json().problems[0].field).toBe('placement');
    await expect(runBatch({ url, key: KEYS.server, placement: 'nowhere', audience: 'true', format: 'jsonl' })).rejects.toThrow(/HTTP 400/);
  });

  it('refuses an output it cannot write before any decision is made (they would count against caps and reach no one)', async () => {
    const dir = testDir('tact-batch-');
    const before = (await h.store.decisions.queryDecisions({ limit: 1000 })).length;
    await expect(runBatch({ url, key: KEYS.server, placement: 'weekly-email', audience: 'true', out: join(dir, 'no-such-folder', 'send.csv'), format: 'csv' })).rejects.toThrow(
      `Cannot write the decisions to ${join(dir, 'no-such-folder', 'send.csv')}: its folder does not exist.`,
    );
    expect((await h.store.decisions.queryDecisions({ limit: 1000 })).length).toBe(before);
  });
});

describe('send time in batch decisions', () => {
  let h: Harness;
  let url: string;
  beforeEach(async () => {
    h = await harness('sqlite', { config: { ...shopConfig({ contact: {} }), sendTime: { engagement: [{ event: 'Email Opened' }], minEvents: 3 } } });
    await send(h.app, '/v1/identify', { userId: 'opener', traits: { tier: 'gold' }, context: { ...advertising, timezone: 'Asia/Tokyo' } });
    await send(h.app, '/v1/identify', { userId: 'quiet', traits: { tier: 'gold' }, context: { ...advertising, timezone: 'America/New_York' } });
    // 24 Tuesdays at 10:00 in Tokyo (UTC+9, no daylight saving): 01:00Z — as many events as the default prior's strength, so the slot is personal.
    for (let k = 0; k < 24; k++) {
      const timestamp = new Date(Date.parse('2026-11-24T01:00:00.000Z') - k * 7 * 86_400_000).toISOString();
      await send(h.app, '/v1/track', { userId: 'opener', event: 'Email Opened', timestamp, context: { timezone: 'Asia/Tokyo' } });
    }
    await h.tact.consumers.runAll();
    url = await h.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterEach(async () => h.close());

  it('writes sendAt — the next start of the subject\'s best local hour of week — with its estimate, in JSONL and CSV', async () => {
    const dir = testDir('tact-batch-');
    const before = Date.now();
    const s = await runBatch({ url, key: KEYS.server, placement: 'weekly-email', audience: 'true', out: join(dir, 'send.jsonl'), format: 'jsonl' });
    expect(s.written).toBe(2);
    const lines = readFileSync(join(dir, 'send.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const opener = lines.find((l) => l.sendTime?.timezone === 'Asia/Tokyo');
    expect(opener.sendTime).toMatchObject({ slot: 34, label: 'Tuesday 10:00 (local time)', estimate: { source: 'personal', status: 'established', evidence: 24 } });
    const at = Date.parse(opener.sendTime.sendAt);
    expect(at).toBeGreaterThanOrEqual(before - 3_600_000);
    expect(at - before).toBeLessThanOrEqual(7 * 86_400_000);
    // Tuesday 01:00Z = 10:00 in Tokyo: that hour's next start, or — decided inside that hour — the
    // moment of the decision (nextSlotStart). Until 2026-12-08 the test took any sendAt after its
    // start for the hour's start, and failed when run on a Tuesday between 01:00 and 02:00 UTC.
    expect([new Date(at).getUTCDay(), new Date(at).getUTCHours()]).toEqual([2, 1]);
    if (at % 3_600_000 !== 0) expect(at >= before && at <= Date.now(), `${opener.sendTime.sendAt}: not an hour's start, nor a moment of the run`).toBe(true);
    const quiet = lines.find((l) => l !== opener);
    expect(quiet.sendTime).toMatchObject({ timezone: 'America/New_York', estimate: { source: 'population', status: 'learning' } });
    for (const l of lines) expect(typeof l.sendTime.estimate.low).toBe('number');

    const csv = await runBatch({ url, key: KEYS.server, placement: 'weekly-email', audience: 'true', out: join(dir, 'send.csv'), format: 'csv', includeNone: true, sendTime: true });
    expect(csv.written).toBe(2);
    const rows = readFileSync(join(dir, 'send.csv'), 'utf8').trim().split('\n').slice(1);
    for (const r of rows) if (r.includes(',action,')) expect(r).toMatch(/,\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z,[^,]+,[\d.e-]+,[\d.e-]+,[\d.e-]+,(personal|population),(learning|established),treatment,,,\d+,[^,]*,[^,]*$/);
    expect(rows.some((r) => r.includes(',action,'))).toBe(true);
    const hook = await webhook(0);
    await runBatch({ url, key: KEYS.server, placement: 'weekly-email', audience: 'true', webhook: hook.url, format: 'jsonl', includeNone: true, retry: { attempts: 1, baseMs: 1, maxMs: 1 } });
    await hook.close();
    const delivered = hook.bodies.flatMap((b) => b.decisions) as { decision: { choices: { kind: string }[] }; sendTime?: { sendAt: string } }[];
    for (const d of delivered) if (d.decision.choices[0].kind === 'action') expect(Date.parse(d.sendTime?.sendAt ?? '')).toBeGreaterThan(0);
    expect(delivered.some((d) => d.sendTime)).toBe(true);
    const off = await runBatch({ url, key: KEYS.server, placement: 'weekly-email', audience: 'true', out: join(dir, 'off.jsonl'), format: 'jsonl', includeNone: true, sendTime: false });
    expect(off.written).toBe(2);
    expect(readFileSync(join(dir, 'off.jsonl'), 'utf8').includes('sendAt')).toBe(false);
  });
});

describe('webhook delivery', () => {
  it('backs off exponentially with jitter, up to a cap', () => {
    const p = { attempts: 6, baseMs: 500, maxMs: 3000 };
    expect([1, 2, 3, 4, 5].map((k) => backoffMs(k, p, () => 0.5))).toEqual([500, 1000, 2000, 3000, 3000]);
    expect(backoffMs(1, p, () => 0)).toBe(250);
  });
  it('does not retry an answer the receiver will give again (4xx other than 408/429)', async () => {
    const server = createServer((_req, res) => res.writeHead(400).end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const r = await deliver(`http://127.0.0.1:${(server.address() as { port: number }).port}/`, {}, { attempts: 5, baseMs: 1, maxMs: 1 });
    server.close();
    expect(r).toMatchObject({ ok: false, attempts: 1, status: 400 });
  });
  it('quotes CSV fields that need it', () => {
    expect(csvField('he said "hi", then left')).toBe('"he said ""hi"", then left"');
    expect(csvField(undefined)).toBe('');
  });
  it('writes a choice\'s exposurePropensity beside its propensity, empty when it has none', () => {
    const rows = csvRows({
      subject: 's', profileId: 'p', decision: { decisionId: 'd', placement: 'home', choices: [
        { rank: 1, kind: 'action', action: 'newsletter', score: 0.1, propensity: 0.76, exposurePropensity: 0.82, held: { action: 'loan', reviewId: 'r' }, explanation: 'x' },
        { rank: 2, kind: 'action', action: 'socks', score: 1, propensity: 0.5, explanation: 'y' },
      ] },
    });
    expect(rows).toEqual(['s,p,d,home,1,action,newsletter,,,0.1,0.76,0.82,x,,,,,,,,,loan,r,,,', 's,p,d,home,2,action,socks,,,1,0.5,,y,,,,,,,,,,,,,']);
  });
});
