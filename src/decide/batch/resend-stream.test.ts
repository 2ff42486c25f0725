import { spawn } from 'node:child_process';
import { createWriteStream, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { testDir } from '../../../test/tmp.js';
import { resendFailed, resendFileProblem } from './resend.js';
import { closeServersAfterEach, serve } from './test-server.js';

closeServersAfterEach();

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
/** fs.createReadStream's default buffer (highWaterMark, Node.js docs: 64 KiB): the files below are larger. */
const STREAM_BUFFER = 64 * 1024;

/**
 * A line of a failed file, as `tact decide-batch` writes one: the decision as sent, with the
 * batch's key and why it failed. `pad` characters of explanation make it longer: é and 😀 (2 and
 * 4 bytes in UTF-8), so that the stream's chunks end inside a character as well as inside a line.
 */
function failedLine(i: number, key: string, pad: number, chars = 'é😀x'): string {
  const explanation = chars.repeat(Math.ceil(pad / chars.length)).slice(0, pad);
  const sent = { subject: `profile:p${i}`, profileId: `p${i}`, decision: { decisionId: `d${i}`, placement: 'weekly-email', choices: [{ rank: 1, kind: 'action', action: 'shoes-offer', explanation }] } };
  return JSON.stringify({ ...sent, idempotencyKey: key, deliveryError: 'HTTP 503', attempts: 10 });
}

/** A webhook that records the decisionIds of each request it takes, and their bodies. */
async function webhook(keep = true) {
  const batches: string[][] = [];
  const bodies: unknown[] = [];
  const url = await serve((_req, res, body) => {
    const b = JSON.parse(body) as { decisions: { decision: { decisionId: string } }[] };
    batches.push(b.decisions.map((d) => d.decision.decisionId));
    if (keep) bodies.push(...b.decisions);
    res.writeHead(200).end();
  });
  return { url, batches, bodies };
}

describe('tact decide-batch --resend: a failed file larger than the stream\'s buffer', () => {
  it('sends every decision as it was sent, in the batches it failed in, across the buffer\'s boundaries', async () => {
    const file = join(testDir('tact-resend-stream-'), 'send.csv.failed.jsonl');
    // 600 lines of about 800 bytes: 7 buffers' worth; batches of 7 under one key each.
    const lines = Array.from({ length: 600 }, (_, i) => failedLine(i, `tact-batch-${Math.floor(i / 7)}`, 300 + (i % 11)));
    writeFileSync(file, lines.join('\n') + '\n');
    expect(statSync(file).size).toBeGreaterThan(5 * STREAM_BUFFER);
    const hook = await webhook();
    const s = await resendFailed({ file, webhook: hook.url, retry: { attempts: 1, baseMs: 1, maxMs: 1 } });
    expect(s).toMatchObject({ read: 600, batches: Math.ceil(600 / 7), delivered: 600, failed: 0, stoppedBy: 'end' });
    expect(hook.batches).toEqual(Array.from({ length: Math.ceil(600 / 7) }, (_, b) => Array.from({ length: Math.min(7, 600 - b * 7) }, (_, j) => `d${b * 7 + j}`)));
    // Each as it was sent: what the failure added (key, reason, attempts) left out, every character whole.
    expect(hook.bodies).toEqual(lines.map((l) => {
      const { idempotencyKey: _k, deliveryError: _e, attempts: _a, ...sent } = JSON.parse(l) as Record<string, unknown>;
      return sent;
    }));
  });

  it('still refuses a file with a bad line before anything is sent, when that line is past the first buffers', async () => {
    const file = join(testDir('tact-resend-stream-'), 'send.csv.failed.jsonl');
    const lines = Array.from({ length: 400 }, (_, i) => failedLine(i, `tact-batch-${i}`, 400));
    lines.push('{"decision":{"decisionId":"d400"}}');
    writeFileSync(file, lines.join('\n') + '\n');
    expect(statSync(file).size).toBeGreaterThan(2 * STREAM_BUFFER);
    const hook = await webhook();
    await expect(resendFailed({ file, webhook: hook.url })).rejects.toThrow(`Line 401 of ${file} is not a decision of a failed file`);
    expect(hook.batches).toEqual([]);
  });

  it('says which file it cannot read, in one sentence naming --resend', async () => {
    const file = join(testDir('tact-resend-stream-'), 'none.failed.jsonl');
    await expect(resendFailed({ file, webhook: 'http://127.0.0.1:9/' })).rejects.toThrow(`The --resend file ${file} does not exist: name the failed file a run wrote (FILE.failed.jsonl).`);
  });

  it('says a folder given to --resend is a folder, not the raw EISDIR', async () => {
    const dir = testDir('tact-resend-stream-');
    const err = await resendFailed({ file: dir, webhook: 'http://127.0.0.1:9/' }).then(() => undefined, (e: unknown) => e as Error);
    expect(err?.message).toBe(`The --resend file ${dir} is a folder: name the failed file a run wrote (FILE.failed.jsonl).`);
  });

  // (Tests run as root, who may read any file: the sentence is checked on the error another user gets.)
  it('says a file it may not read as a sentence naming --resend, not the raw EACCES', () => {
    const err = Object.assign(new Error("EACCES: permission denied, open '/runs/send.failed.jsonl'"), { code: 'EACCES', syscall: 'open' });
    expect(resendFileProblem('/runs/send.failed.jsonl', err)).toBe('The --resend file /runs/send.failed.jsonl cannot be read: this user is not permitted to (check its owner and mode).');
  });

  it('resends a 40 MB file in a process whose heap holds 32 MB: it is read line by line, not whole', async () => {
    const dir = testDir('tact-resend-stream-');
    const file = join(dir, 'big.failed.jsonl');
    // 10,000 lines of about 4 KB, in batches of 100 (one key each). Read whole, the file is one
    // string larger than the heap (V8's --max-old-space-size) and the process runs out of memory.
    // (16 MB of heap left Node 22 too little beside its own 8 MB once the sending began; 24 MB, run
    // beside the whole suite, ran out once on Node 22 on 2026-12-07: the process's own modules keep
    // 17–18 MB live at its peak on Node 20, 22 and 24 (--trace-gc). Read whole and parsed, the file
    // runs out of a 40 MB heap as well as a 32 MB one; 64 MB holds it.)
    const out = createWriteStream(file);
    for (let i = 0; i < 10_000; i++) if (!out.write(failedLine(i, `tact-batch-${Math.floor(i / 100)}`, 4000, 'x') + '\n')) await new Promise<void>((r) => out.once('drain', () => r()));
    await new Promise((r) => out.end(r));
    expect(statSync(file).size).toBeGreaterThan(40 * 1024 * 1024);
    const hook = await webhook(false);
    const code = `import(${JSON.stringify(join(ROOT, 'src/decide/batch/resend.ts'))}).then(async ({ resendFailed }) => {
      const s = await resendFailed({ file: ${JSON.stringify(file)}, webhook: ${JSON.stringify(hook.url)}, retry: { attempts: 1, baseMs: 1, maxMs: 1 } });
      process.stdout.write(JSON.stringify(s));
    }).catch((err) => { console.error(err); process.exit(1); });`;
    const proc = spawn(process.execPath, ['--max-old-space-size=32', '--import', 'tsx', '-e', code], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let said = '';
    let err = '';
    proc.stdout.on('data', (d) => (said += String(d)));
    proc.stderr.on('data', (d) => (err += String(d)));
    const exit = await new Promise<number | null>((r) => proc.once('close', (c) => r(c)));
    expect(exit, err.slice(-2000)).toBe(0);
    expect(JSON.parse(said)).toMatchObject({ read: 10_000, batches: 100, delivered: 10_000, failed: 0, stoppedBy: 'end' });
    expect(hook.batches.flat()).toHaveLength(10_000);
    expect(hook.batches[99].at(-1)).toBe('d9999');
    // The file read is kept as it was.
    expect(readFileSync(file, 'utf8').split('\n', 1)[0]).toBe(failedLine(0, 'tact-batch-0', 4000, 'x'));
  }, 120_000);
});
