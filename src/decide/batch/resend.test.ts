import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testDir } from '../../../test/tmp.js';
import { idempotencyKey, runBatch } from './batch-client.js';
import { nextFailedPath, resendFailed } from './resend.js';
import { closeServersAfterEach, serve } from './test-server.js';

closeServersAfterEach();

const decision = (i: number) => ({
  type: 'decision', subject: `profile:p${i}`, profileId: `p${i}`,
  decision: { decisionId: `d${i}`, placement: 'weekly-email', choices: [{ rank: 1, kind: 'action', action: 'shoes-offer', score: 1.5, propensity: 1 }] },
});
const done = { type: 'done', scanned: 5, total: 5, matched: 5, decided: 5, actions: 5, audienceErrors: 0, stoppedBy: 'end' };

/** A webhook that records each request (its body and Idempotency-Key) and answers with `status(body)`. */
async function webhook(status: (body: { decisions: { decision: { decisionId: string } }[] }) => number = () => 200) {
  const got: { body: unknown; key: unknown }[] = [];
  const url = await serve((req, res, body) => {
    got.push({ body: JSON.parse(body), key: req.headers['idempotency-key'] });
    res.writeHead(status(JSON.parse(body))).end();
  });
  return { url, got };
}

/**
 * A run of five decisions whose webhook was down: batches of two, every one in the failed file.
 * What the webhook was sent, and how many times the decision server was asked.
 */
async function failedRun() {
  const dir = testDir('tact-resend-');
  let asked = 0;
  const url = await serve((_req, res) => (asked++, res.writeHead(200).end([...[1, 2, 3, 4, 5].map(decision), done].map((l) => JSON.stringify(l) + '\n').join(''))));
  const down = await webhook(() => 503);
  const s = await runBatch({ url, key: 'k', placement: 'weekly-email', audience: 'true', out: join(dir, 'send.jsonl'), format: 'jsonl', webhook: down.url, webhookBatch: 2, retry: { attempts: 1, baseMs: 1, maxMs: 1 } });
  expect(s).toMatchObject({ failed: 5, failedPath: join(dir, 'send.jsonl.failed.jsonl') });
  return { dir, file: s.failedPath!, sent: down.got, asked: () => asked };
}

describe('tact decide-batch --resend', () => {
  it('sends a failed file\'s decisions again as they were sent — the same bodies, batches and Idempotency-Keys — and makes no decision', async () => {
    const run = await failedRun();
    const before = readFileSync(run.file, 'utf8');
    const back = await webhook();
    const s = await resendFailed({ file: run.file, webhook: back.url, retry: { attempts: 1, baseMs: 1, maxMs: 1 } });
    expect(s).toMatchObject({ read: 5, batches: 3, delivered: 5, failed: 0, stoppedBy: 'end' });
    expect(back.got).toEqual(run.sent);
    expect(back.got.map((g) => g.key)).toEqual([['d1', 'd2'], ['d3', 'd4'], ['d5']].map((ids) => idempotencyKey(ids.map((decisionId) => ({ decision: { decisionId } })))));
    expect(run.asked()).toBe(1);
    // Everything delivered: no failed file is written, and the one read is left as it was.
    expect(s.failedPath).toBeUndefined();
    expect(existsSync(nextFailedPath(run.file))).toBe(false);
    expect(readFileSync(run.file, 'utf8')).toBe(before);
  });

  it('retries each batch as a run does, and writes what still fails to a new failed file, keeping the one it read', async () => {
    const run = await failedRun();
    const before = readFileSync(run.file, 'utf8');
    // d3 and d4's batch fails twice with 503, then is refused (400); the others are taken at the second attempt.
    const tries = new Map<string, number>();
    const back = await webhook((b) => {
      const id = b.decisions[0].decision.decisionId;
      tries.set(id, (tries.get(id) ?? 0) + 1);
      return id === 'd3' ? (tries.get(id)! < 3 ? 503 : 400) : tries.get(id)! < 2 ? 503 : 200;
    });
    const waits: number[] = [];
    const s = await resendFailed({ file: run.file, webhook: back.url, retry: { attempts: 5, baseMs: 1, maxMs: 1 }, sleep: async (ms) => void waits.push(ms) });
    expect(s).toMatchObject({ read: 5, batches: 3, delivered: 3, failed: 2, failedPath: join(run.dir, 'send.jsonl.failed-2.jsonl') });
    expect(waits).toHaveLength(4); // one retry for each of two batches, two for the third
    const still = readFileSync(s.failedPath!, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(still.map((l) => l.decision.decisionId)).toEqual(['d3', 'd4']);
    expect(still[0]).toMatchObject({ deliveryError: 'HTTP 400', attempts: 3, idempotencyKey: run.sent[1].key });
    expect(readFileSync(run.file, 'utf8')).toBe(before);
    // and that file is sent again in turn, into the next name
    const again = await resendFailed({ file: s.failedPath!, webhook: (await webhook()).url });
    expect(again).toMatchObject({ read: 2, batches: 1, delivered: 2, failed: 0 });
  });

  it('stops trying once the webhook failed 3 batches in a row: the rest go to the new failed file untried, none lost', async () => {
    const dir = testDir('tact-resend-');
    const file = join(dir, 'send.jsonl.failed.jsonl');
    // A file written before failed lines carried their batch's key: batched by webhookBatch afresh.
    writeFileSync(file, [1, 2, 3, 4, 5].map((i) => JSON.stringify({ ...decision(i), deliveryError: 'HTTP 503', attempts: 10 }) + '\n').join(''));
    const down = await webhook(() => 503);
    const s = await resendFailed({ file, webhook: down.url, webhookBatch: 1, retry: { attempts: 2, baseMs: 1, maxMs: 1 } });
    expect(s).toMatchObject({ read: 5, batches: 5, delivered: 0, failed: 5, stoppedBy: 'webhook' });
    expect(s.error).toContain('the webhook failed 3 batches in a row (the last: HTTP 503)');
    expect(down.got).toHaveLength(6); // 3 batches of 2 attempts
    const still = readFileSync(s.failedPath!, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(still.map((l) => l.decision.decisionId)).toEqual(['d1', 'd2', 'd3', 'd4', 'd5']);
    expect(still[4]).toMatchObject({ attempts: 0, deliveryError: expect.stringContaining('3 batches in a row') });
  });

  it('gives the batch in hand graceMs once stopped, and writes it and the rest to the new failed file', async () => {
    const run = await failedRun();
    const stop = new AbortController();
    // The webhook never answers; the signal comes while the first batch waits for it.
    const hang = await serve(() => stop.abort('SIGINT'));
    const s = await resendFailed({ file: run.file, webhook: hang, signal: stop.signal, graceMs: 100, retry: { attempts: 3, baseMs: 1, maxMs: 1 } });
    expect(s).toMatchObject({ read: 5, delivered: 0, failed: 5, stoppedBy: 'signal' });
    const still = readFileSync(s.failedPath!, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(still).toHaveLength(5);
    expect(still.every((l) => String(l.deliveryError).includes('SIGINT'))).toBe(true);
  });

  it('refuses a file with a line that is not a decision, naming the line, before sending anything', async () => {
    const dir = testDir('tact-resend-');
    const file = join(dir, 'send.jsonl.failed.jsonl');
    writeFileSync(file, JSON.stringify(decision(1)) + '\n{"subject":"profile:p2","decision":{"placeme\n');
    const hook = await webhook();
    await expect(resendFailed({ file, webhook: hook.url })).rejects.toThrow(`Line 2 of ${file} is not a decision of a failed file`);
    writeFileSync(file, JSON.stringify({ subject: 'profile:p1' }) + '\n');
    await expect(resendFailed({ file, webhook: hook.url })).rejects.toThrow(`Line 1 of ${file} is not a decision of a failed file`);
    expect(hook.got).toHaveLength(0);
    await expect(resendFailed({ file: join(dir, 'none.jsonl'), webhook: hook.url })).rejects.toThrow(`The --resend file ${join(dir, 'none.jsonl')} does not exist`);
  });

  it('names the new failed file after the one it reads, never the same', () => {
    expect(nextFailedPath('/runs/send.jsonl.failed.jsonl')).toBe('/runs/send.jsonl.failed-2.jsonl');
    expect(nextFailedPath('/runs/send.jsonl.failed-2.jsonl')).toBe('/runs/send.jsonl.failed-3.jsonl');
    expect(nextFailedPath('/runs/failed.jsonl')).toBe('/runs/failed-2.jsonl');
    expect(nextFailedPath('/failed-runs/undelivered.jsonl')).toBe('/failed-runs/undelivered.jsonl.failed.jsonl');
  });

  it('names the resend of a failed file an earlier run left (kept under its time) FILE.failed-2.jsonl.<time>, as the help says, apart from the newer one\'s', () => {
    const kept = '/runs/decide-batch.failed.jsonl.2026-12-04T03-20-00-000Z';
    expect(nextFailedPath(kept)).toBe('/runs/decide-batch.failed-2.jsonl.2026-12-04T03-20-00-000Z');
    expect(nextFailedPath(nextFailedPath(kept))).toBe('/runs/decide-batch.failed-3.jsonl.2026-12-04T03-20-00-000Z');
    expect(nextFailedPath(kept)).not.toBe(nextFailedPath('/runs/decide-batch.failed.jsonl'));
  });
});
